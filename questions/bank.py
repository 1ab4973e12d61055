"""The question bank as YAML ("content as code"): read, check, import and export.

Format: fixtures/bank/README.md. Import is all or nothing: every problem in every file is
collected first (with file, line and id) and nothing is written unless there are none.
"""

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from domains.models import Domain, MisconceptionCard, TaskStatement

from . import schema
from .models import Choice, Question, Tag
from .validation import question_problems

LINE = "__line__"
FILE = "__file__"
SOURCE = "__source__"  # the file's path inside the bank folder
# Options are shuffled per sitting, so wording that points at another option's position is wrong.
POSITIONAL = re.compile(
    r"(?i:\b(all|none|both|neither|any|each) of the "
    r"(above|below|preceding|following|other options)\b)"
    r"|\b(?i:both|either|neither) [A-F] (?:and|or|nor) [A-F]\b"
    r"|\b(?i:options?|answers?|choices?) [A-F]\b"
)


class LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping and refuses duplicate keys.

    Booleans are YAML 1.2's: only true/false. YAML 1.1 also reads yes/no/on/off as booleans,
    which the published JSON Schema (and editors validating with it) see as strings."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first on line {seen[key]}); the second would "
                    "silently replace the first",
                    key_node.start_mark,
                )
            if isinstance(key, str | int | float | bool):
                seen[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class Problem:
    path: str
    line: int | None
    item: str | None
    message: str

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.item}: {self.message}" if self.item else f"{where}: {self.message}"


@dataclass
class Bank:
    cards: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    files: list = field(default_factory=list)  # question files read, relative to the bank folder


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    versions: int = 0
    kept: list = field(default_factory=list)
    retired: list = field(default_factory=list)

    def count(self, created):
        if created:
            self.created += 1
        else:
            self.updated += 1

    @property
    def changed(self):
        return self.created + self.updated + len(self.retired)

    def __str__(self):
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.versions:
            text += f", {self.versions} new version(s)"
        if self.retired:
            text += f", {len(self.retired)} retired (no longer in the YAML): "
            text += ", ".join(self.retired)
        if self.kept:
            text += f", {len(self.kept)} kept (edited in the admin)"
        return text


def _files(root, name):
    single = root / f"{name}.yaml"
    files = [single] if single.exists() else []
    folder = root / name
    if folder.is_dir():
        files += sorted(folder.rglob("*.yaml"))
    return files


def _strip_lines(value):
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in (LINE, FILE, SOURCE)}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def read_bank(path):
    """Parse every YAML file under `path` into a Bank, collecting problems, touching no database."""
    root = Path(path)
    bank = Bank()
    if not root.exists():
        bank.problems.append(Problem(str(root), None, None, "no such file or folder"))
        return bank
    sources = {"misconceptions": bank.cards, "topics": bank.topics, "questions": bank.questions}
    for name, target in sources.items():
        for file in _files(root, name):
            rel = str(file)
            source = str(file.relative_to(root)) if root.is_dir() else file.name
            if name == "questions":
                bank.files.append(source)
            try:
                data = yaml.load(file.read_text(encoding="utf-8"), Loader=LineLoader)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 1 if mark else None
                what = "YAML error" if "duplicate key" in str(exc) else "YAML syntax error"
                bank.problems.append(
                    Problem(
                        rel,
                        line,
                        None,
                        f"{what}: {exc.problem if hasattr(exc, 'problem') else exc}",
                    )
                )
                continue
            if data is None:
                continue
            if not isinstance(data, list):
                bank.problems.append(Problem(rel, 1, None, "the file must hold a YAML list"))
                continue
            for entry in data:
                if not isinstance(entry, dict):
                    bank.problems.append(
                        Problem(rel, None, None, "every list item must be a mapping")
                    )
                    continue
                entry[FILE] = rel
                entry[SOURCE] = source
                target.append(entry)
    return bank


def _ident(entry, key="id"):
    return str(entry.get(key)) if entry.get(key) is not None else None


def _for_schema(value):
    """The entry as JSON would carry it: no line markers, dates as ISO strings."""
    if isinstance(value, dict):
        return {k: _for_schema(v) for k, v in value.items() if k not in (LINE, FILE, SOURCE)}
    if isinstance(value, list):
        return [_for_schema(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _schema_message(error):
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    where = where.lstrip(".") or "entry"
    if where == "task" and not isinstance(error.instance, str):
        return f'task must be a task statement number in quotes, like "1.4", not {error.instance!r}'
    if where == "task" and error.validator == "pattern":
        return f"unknown task statement {error.instance!r}"
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        prefix = "" if where == "entry" else f"{where}: "
        return f"{prefix}unknown key(s): {', '.join(map(str, unknown))}"
    if error.validator == "type" and error.validator_value == "boolean":
        return f"{where} must be a YAML boolean (true or false, unquoted), not {error.instance!r}"
    if error.validator == "type" and error.validator_value == "string":
        return f"{where} must be text, not {error.instance!r} (quote it in YAML)"
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return f"{where}: missing {missing!r}" if where != "entry" else f"missing {missing!r}"
    if error.validator == "enum" and where == "difficulty":
        return f"difficulty must be 1, 2 or 3, not {error.instance!r}"
    return f"{where}: {error.message}"


def _schema_problems(entry, entry_schema):
    """(line, message) for every way `entry` breaks the published JSON Schema."""
    validator = jsonschema.Draft202012Validator(
        entry_schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    out = []
    for error in sorted(validator.iter_errors(_for_schema(entry)), key=lambda e: list(e.path)):
        node, line = entry, entry.get(LINE)
        for part in error.absolute_path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, dict) and node.get(LINE):
                line = node[LINE]
        out.append((line, _schema_message(error)))
    return out


def _check_enemies(bank, problem):
    """Enemies name existing questions, never themselves, and are declared on both sides when
    both are in the bank (so each file says what assembly will do with it)."""
    declared = {
        _ident(q): {str(e) for e in q.get("enemies") or [] if isinstance(e, str)}
        for q in bank.questions
        if isinstance(q.get("enemies"), list)
    }
    in_bank = {_ident(q) for q in bank.questions}
    wanted = set().union(*declared.values()) - in_bank if declared else set()
    in_db = set(Question.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    for q in bank.questions:
        ident = _ident(q)
        for other in sorted(declared.get(ident, ())):
            if other == ident:
                problem(q, "a question cannot be its own enemy")
            elif other in in_bank:
                if ident not in declared.get(other, set()):
                    problem(q, f"enemy {other!r} must list {ident!r} among its enemies too")
            elif other not in in_db:
                problem(q, f"unknown enemy question {other!r}")


def check_bank(bank, known_cards=None):
    """Check a parsed bank against its JSON Schema, the blueprint, itself and the model rules.

    Misconception cards may be defined in the bank or already exist in the database
    (`known_cards`, default: the slugs in the database). Returns the list of Problems
    (also kept on `bank.problems`), sorted by file and line.
    """
    problems = bank.problems
    tasks = TaskStatement.objects.by_number()
    if known_cards is None:
        known_cards = set(MisconceptionCard.objects.values_list("slug", flat=True))

    def problem(entry, message, line=None, key="id"):
        problems.append(Problem(entry[FILE], line or entry.get(LINE), _ident(entry, key), message))

    def schema_ok(entry, entry_schema, key="id"):
        found = _schema_problems(entry, entry_schema)
        for line, message in found:
            problem(entry, message, line=line, key=key)
        return not found

    card_ids = set()
    for card in bank.cards:
        if not schema_ok(card, schema.CARD):
            card_ids.add(_ident(card))
            continue
        ident = _ident(card)
        if ident in card_ids:
            problem(card, f"duplicate card id {ident!r}")
        card_ids.add(ident)
        for task in card.get("tasks") or []:
            if task not in tasks:
                problem(card, f"unknown task statement {task!r}")
            elif tasks[task].domain.number != card["domain"]:
                problem(card, f"task statement {task} is not in domain {card['domain']}")

    topic_tasks = set()
    for topic in bank.topics:
        if not schema_ok(topic, schema.TOPIC, key="task"):
            continue
        task = topic["task"]
        if task not in tasks:
            problem(topic, f"unknown task statement {task!r}", key="task")
        elif task in topic_tasks:
            problem(topic, f"two notes for task statement {task}", key="task")
        topic_tasks.add(task)

    all_cards = card_ids | set(known_cards)
    _check_enemies(bank, problem)
    question_ids = set()
    for q in bank.questions:
        ident = _ident(q)
        if ident in question_ids:
            problem(q, f"duplicate question id {ident!r}")
        question_ids.add(ident)
        schema_ok(q, schema.QUESTION)
        # The checks below see what the schema can't; they tolerate what it already reported.
        task = tasks.get(q.get("task")) if isinstance(q.get("task"), str) else None
        if isinstance(q.get("task"), str) and task is None:
            problem(q, f"unknown task statement {q['task']!r}")
        choices = [c for c in q.get("choices") or [] if isinstance(c, dict)]
        keys = set()
        for choice in choices:
            line = choice.get(LINE)
            key = choice.get("key")
            if key is not None and key in keys:
                problem(q, f"duplicate option key {key!r}", line=line)
            keys.add(key)
            card = choice.get("misconception")
            if isinstance(card, str) and card not in all_cards:
                problem(q, f"unknown misconception {card!r}", line=line)
            for field_name in ("text", "why"):
                match = POSITIONAL.search(str(choice.get(field_name) or ""))
                if match:
                    problem(
                        q,
                        f"option {key} {field_name} says {match.group(0)!r}, but options are "
                        "shuffled for every learner: name the option's content",
                        line=line,
                    )
        status = q.get("status", Question.Status.PUBLISHED)
        references = q.get("references") if isinstance(q.get("references"), list) else []
        rule_problems = question_problems(
            kind=q.get("kind"),
            domain_number=q.get("domain"),
            task_domain_number=task.domain.number if task else None,
            choices=[
                {
                    "text": str(c.get("text") or ""),
                    "is_correct": c.get("correct") is True,
                    "why": str(c.get("why") or ""),
                    "misconception": c.get("misconception"),
                }
                for c in choices
            ],
            references=[r for r in references if isinstance(r, str)],
            publishing=status in Question.LEARNER_FACING,
        )
        for message in rule_problems:
            if "has no 'why'" in message or "has no text" in message:
                continue  # the schema names the missing field already
            problem(q, message)
    problems.sort(key=lambda p: (p.path, p.line or 0))
    return problems


def _text(value):
    return str(value or "").strip("\n") + ("\n" if "\n" in str(value or "").strip("\n") else "")


def normalise_question(q):
    """The canonical form of a YAML question: what export writes and import compares."""
    out = {
        "id": str(q["id"]),
        "domain": q["domain"],
        "task": str(q["task"]),
        "kind": q["kind"],
        "difficulty": q["difficulty"],
        "tags": sorted({" ".join(str(t).split()) for t in q.get("tags") or []}, key=str.lower),
        "stem": _text(q["stem"]),
        "choices": [],
        "explanation": _text(q.get("explanation")),
        "references": [str(r) for r in q.get("references") or []],
    }
    if q.get("constraints"):
        out["constraints"] = [" ".join(str(c).split()) for c in q["constraints"]]
    if q.get("verified"):
        out["verified"] = str(q["verified"])
    if q.get("enemies"):
        out["enemies"] = sorted(str(e) for e in q["enemies"])
    for c in q["choices"]:
        choice = {"key": str(c["key"]), "text": _text(c["text"])}
        if c.get("correct"):
            choice["correct"] = True
        choice["why"] = _text(c["why"])
        if c.get("misconception"):
            choice["misconception"] = c["misconception"]
        out["choices"].append(choice)
    status = q.get("status", Question.Status.PUBLISHED)
    if status != Question.Status.PUBLISHED:
        out["status"] = status
    return out


def question_to_dict(question):
    """A saved question in the YAML form (needs choices with misconception, tags, task, domain)."""
    return normalise_question(
        {
            "id": question.slug,
            "domain": question.domain.number,
            "task": question.task.number,
            "kind": question.kind,
            "difficulty": question.difficulty,
            "tags": [t.name for t in question.tags.all()],
            "stem": question.stem,
            "explanation": question.explanation,
            "references": question.references,
            "status": question.status,
            "constraints": question.constraints,
            "enemies": [e.slug for e in question.enemies.all()],
            "verified": question.verified.isoformat() if question.verified else None,
            "choices": [
                {
                    "key": c.key,
                    "text": c.text,
                    "correct": c.is_correct,
                    "why": c.why,
                    "misconception": c.misconception.slug if c.misconception_id else None,
                }
                for c in question.choices.all()
            ],
        }
    )


def normalise_card(c):
    out = {"id": str(c["id"]), "domain": c["domain"]}
    if c.get("tasks"):
        out["tasks"] = [str(t) for t in c["tasks"]]
    out.update(
        {
            "belief": " ".join(str(c["belief"]).split()),
            "correction": _text(c["correction"]),
            "references": [str(r) for r in c.get("references") or []],
        }
    )
    return out


def card_to_dict(card):
    return normalise_card(
        {
            "id": card.slug,
            "domain": card.domain.number,
            "tasks": [t.number for t in card.task_statements.all()],
            "belief": card.belief,
            "correction": card.correction,
            "references": card.references,
        }
    )


def normalise_topic(t):
    return {
        "task": str(t["task"]),
        "notes": _text(t["notes"]),
        "references": [str(r) for r in t.get("references") or []],
    }


def topic_to_dict(task):
    return normalise_topic(
        {"task": task.number, "notes": task.notes, "references": task.references}
    )


def _saved_questions():
    return Question.objects.select_related(
        "domain", "task__domain", "current_version"
    ).prefetch_related("tags", "enemies", "choices__misconception", "current_version__choices")


def fingerprint(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def _before_option_keys(data):
    """The YAML form before option keys, constraints and verified dates existed, so a question
    imported by an earlier release still counts as unedited."""
    legacy = {k: v for k, v in data.items() if k not in ("constraints", "verified")}
    if "choices" in data:
        legacy["choices"] = [{k: v for k, v in c.items() if k != "key"} for c in data["choices"]]
    return legacy


def _decide(obj, current, data, summary, force):
    """'unchanged', 'write', or 'keep' when edited in the admin since its last import."""
    if current == data:
        return "unchanged"
    imported = {fingerprint(current), fingerprint(_before_option_keys(current))}
    if obj.source_hash and obj.source_hash in imported or force:
        return "write"
    summary.kept.append(data.get("id") or data.get("task"))
    return "keep"


def apply_bank(bank, author=None, progress=None, force=False):
    """Write a checked bank. Creates or updates by id; returns {what: Summary}. Atomic.

    Something edited in the admin since it was last imported is kept, not overwritten, unless
    `force` (the summary lists it): export it first if the YAML should learn the edit.
    """
    summary = {"cards": Summary(), "topics": Summary(), "questions": Summary()}
    tasks = TaskStatement.objects.by_number()
    domains = {d.number: d for d in Domain.objects.all()}
    with transaction.atomic():
        existing_cards = {
            c.slug: c
            for c in MisconceptionCard.objects.select_related("domain").prefetch_related(
                "task_statements"
            )
        }
        for raw in bank.cards:
            data = normalise_card(raw)
            card = existing_cards.get(data["id"])
            if card is not None:
                decision = _decide(card, card_to_dict(card), data, summary["cards"], force)
                if decision != "write":
                    summary["cards"].unchanged += decision == "unchanged"
                    continue
            card, created = MisconceptionCard.objects.update_or_create(
                slug=data["id"],
                defaults={
                    "domain": domains[data["domain"]],
                    "belief": data["belief"],
                    "correction": data["correction"],
                    "references": data["references"],
                    "source_hash": fingerprint(data),
                },
            )
            card.task_statements.set([tasks[t] for t in data.get("tasks", [])])
            existing_cards[card.slug] = card
            summary["cards"].count(created)

        for raw in bank.topics:
            data = normalise_topic(raw)
            task = tasks[data["task"]]
            current = topic_to_dict(task)
            if task.notes or task.references:
                decision = _decide(task, current, data, summary["topics"], force)
                if decision != "write":
                    summary["topics"].unchanged += decision == "unchanged"
                    continue
            task.notes, task.references = data["notes"], data["references"]
            task.source_hash = fingerprint(data)
            task.save(update_fields=["notes", "references", "source_hash"])
            summary["topics"].updated += 1

        existing = {q.slug: q for q in _saved_questions()}
        written = []
        for index, raw in enumerate(bank.questions, start=1):
            if progress:
                progress(index, len(bank.questions))
            data = normalise_question(raw)
            question = existing.get(data["id"])
            if question is not None:
                current = question_to_dict(question)
                decision = _decide(question, current, data, summary["questions"], force)
                if decision != "write":
                    summary["questions"].unchanged += decision == "unchanged"
                    continue
            created = question is None
            if created:
                question = Question(slug=data["id"], author=author)
            question.domain = domains[data["domain"]]
            question.task = tasks[data["task"]]
            question.kind = data["kind"]
            question.difficulty = data["difficulty"]
            question.stem = data["stem"]
            question.explanation = data["explanation"]
            question.references = data["references"]
            question.status = data.get("status", Question.Status.PUBLISHED)
            question.constraints = data.get("constraints", [])
            question.verified = data.get("verified")
            question.source_hash = fingerprint(data)
            question.from_bank = True
            question.source_file = raw.get(SOURCE, "")
            question.save()
            question.tags.set(Tag.normalise(data["tags"]))
            _replace_choices(question, data["choices"], existing_cards)
            question = _saved_questions().get(pk=question.pk)
            try:
                _, new_version = question.sync_version(
                    user=author, same_item=bool(raw.get("same_item"))
                )
            except ValidationError as exc:
                raise BankError(f"{data['id']}: {' '.join(exc.messages)}") from exc
            summary["questions"].count(created)
            summary["questions"].versions += new_version and not created
            written.append((question, data.get("enemies", [])))
        _set_enemies(written)
        _retire_removed(bank, existing, summary["questions"])
    return summary


def _set_enemies(written):
    """Enemy links of the questions just written (after all exist, so order doesn't matter)."""
    slugs = {slug for _, enemies in written for slug in enemies}
    by_slug = dict(Question.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    for question, enemies in written:
        question.enemies.set([by_slug[slug] for slug in enemies if slug in by_slug])


class BankError(Exception):
    """A problem only writing could find (the transaction was rolled back)."""


def _retire_removed(bank, existing, summary):
    """Questions that came from an imported file and are no longer in it are retired (never
    deleted: sittings keep their versions). Files not part of this import are left alone."""
    files = {raw.get(SOURCE) for raw in bank.questions} | set(bank.files)
    present = {str(raw["id"]) for raw in bank.questions}
    for question in existing.values():
        if (
            question.from_bank
            and question.source_file in files
            and question.slug not in present
            and question.status != Question.Status.RETIRED
        ):
            question.status = Question.Status.RETIRED
            # Retired by import, not edited by an author: putting it back in the YAML later
            # simply republishes it.
            question.source_hash = fingerprint(question_to_dict(question))
            question.save(update_fields=["status", "source_hash", "updated_at"])
            summary.retired.append(question.slug)


def _replace_choices(question, choices, cards):
    """Replace the authoring copy's options. Learners' answers refer to version options
    (VersionChoice), never to these rows, so replacing them changes no history."""
    question.choices.all().delete()
    Choice.objects.bulk_create(
        [
            Choice(
                question=question,
                key=data["key"],
                position=position,
                text=data["text"],
                is_correct=bool(data.get("correct")),
                why=data["why"],
                misconception=cards[data["misconception"]] if data.get("misconception") else None,
            )
            for position, data in enumerate(choices, start=1)
        ]
    )


class _LiteralDumper(yaml.SafeDumper):
    pass


def _str_representer(dumper, value):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_LiteralDumper.add_representer(str, _str_representer)


def dump_yaml(data):
    return yaml.dump(data, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


def export_bank(path):
    """Write the whole bank under `path` in the import format. Returns counts."""
    root = Path(path)
    (root / "questions").mkdir(parents=True, exist_ok=True)
    cards = MisconceptionCard.objects.select_related("domain").prefetch_related("task_statements")
    (root / "misconceptions.yaml").write_text(
        dump_yaml([card_to_dict(c) for c in cards]), encoding="utf-8"
    )
    topics = TaskStatement.objects.exclude(notes="").order_by("number")
    (root / "topics.yaml").write_text(
        dump_yaml([topic_to_dict(t) for t in topics]), encoding="utf-8"
    )
    by_domain = {}
    for question in _saved_questions().order_by("domain__number", "task__number", "slug"):
        by_domain.setdefault(question.domain.number, []).append(question_to_dict(question))
    for number, items in by_domain.items():
        (root / "questions" / f"domain-{number}.yaml").write_text(
            dump_yaml(items), encoding="utf-8"
        )
    return {
        "cards": len(cards),
        "topics": len(topics),
        "questions": sum(map(len, by_domain.values())),
    }
