"""The JSON Schema of the bank's YAML format, for authors' editors and for import.

`import_bank` validates every entry against these schemas before its own checks, so whatever
the schema rejects, import rejects too. What a schema cannot see (duplicate mapping keys,
references across files and to the database, a task statement of another domain, position-
dependent wording) import checks on its own. `python manage.py bank_schema` writes
fixtures/bank/schema/*.json; a test keeps the committed files equal to these.
"""

from domains.blueprint import MULTIPLE_MIN_CHOICES, SINGLE_MIN_CHOICES

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
OPTION_KEY = r"^[a-z0-9]{1,8}$"
TASK = r"^[1-6]\.[1-9]$"
URL = r"^https?://\S+$"
STATUSES = ["draft", "in_review", "published", "pilot", "retired"]
MAX_CHOICES = 8

_text = {"type": "string", "minLength": 1, "pattern": r"\S"}
_urls = {"type": "array", "items": {"type": "string", "pattern": URL}}

CHOICE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "text", "why"],
    "properties": {
        "key": {
            "type": "string",
            "pattern": OPTION_KEY,
            "description": "Stable option key (a, b, c ...), unique in the question.",
        },
        "text": _text,
        "correct": {"type": "boolean", "description": "true on correct options; omit otherwise"},
        "why": _text,
        "misconception": {"type": "string", "pattern": SLUG},
    },
}

QUESTION = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://examprep.example/schema/question.json",
    "title": "examprep question",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "domain", "task", "kind", "difficulty", "stem", "choices", "references"],
    "properties": {
        "id": {"type": "string", "pattern": SLUG, "maxLength": 120},
        "domain": {"type": "integer", "minimum": 1, "maximum": 6},
        "task": {"type": "string", "pattern": TASK, "description": 'quoted, e.g. "1.4"'},
        "kind": {"enum": ["single", "multiple"]},
        "difficulty": {"enum": [1, 2, 3]},
        "tags": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "constraints": {"type": "array", "items": _text},
        "verified": {"type": "string", "format": "date"},
        "stem": _text,
        "choices": {
            "type": "array",
            "minItems": min(SINGLE_MIN_CHOICES, MULTIPLE_MIN_CHOICES),
            "maxItems": MAX_CHOICES,
            "items": CHOICE,
        },
        "explanation": {"type": "string"},
        "references": _urls,
        "status": {"enum": STATUSES},
        "enemies": {
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "pattern": SLUG},
            "description": "Ids of questions testing the same decision (listed on both sides).",
        },
        "same_item": {
            "type": "boolean",
            "description": "A wording-only edit: the new version stays the same item.",
        },
    },
}

CARD = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://examprep.example/schema/misconception.json",
    "title": "examprep misconception card",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "domain", "belief", "correction"],
    "properties": {
        "id": {"type": "string", "pattern": SLUG, "maxLength": 120},
        "domain": {"type": "integer", "minimum": 1, "maximum": 6},
        "tasks": {"type": "array", "items": {"type": "string", "pattern": TASK}},
        "belief": _text,
        "correction": _text,
        "references": _urls,
    },
}

TOPIC = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://examprep.example/schema/topic.json",
    "title": "examprep topic note",
    "type": "object",
    "additionalProperties": False,
    "required": ["task", "notes"],
    "properties": {
        "task": {"type": "string", "pattern": TASK},
        "notes": _text,
        "references": _urls,
    },
}


def file_schema(entry_schema):
    """A bank file is a YAML list of entries."""
    schema = {k: v for k, v in entry_schema.items() if k not in ("$schema", "$id", "title")}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": entry_schema["$id"].replace(".json", "-file.json"),
        "title": entry_schema["title"] + "s (a bank file)",
        "type": "array",
        "items": schema,
    }


SCHEMAS = {
    "questions.schema.json": file_schema(QUESTION),
    "misconceptions.schema.json": file_schema(CARD),
    "topics.schema.json": file_schema(TOPIC),
}
