"""The question bank as YAML ("content as code"): read, check, import and export.

Format: fixtures/bank/README.md. Import is all or nothing: every problem in every file is
collected first (with file, line and id) and nothing is written unless there are none.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from domains.models import Domain, MisconceptionCard, TaskStatement

from .models import Choice, Question, Tag
from .validation import question_problems

QUESTION_KEYS = {
    "id",
    "domain",
    "task",
    "kind",
    "difficulty",
    "tags",
    "stem",
    "choices",
    "explanation",
    "references",
    "status",
}
CHOICE_KEYS = {"text", "correct", "why", "misconception"}
CARD_KEYS = {"id", "domain", "tasks", "belief", "correction", "references"}
TOPIC_KEYS = {"task", "notes", "references"}
LINE = "__line__"


class LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping, for error messages."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


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


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list = field(default_factory=list)

    def count(self, created):
        if created:
            self.created += 1
        else:
            self.updated += 1

    @property
    def changed(self):
        return self.created + self.updated

    def __str__(self):
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
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
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE}
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
            try:
                data = yaml.load(file.read_text(encoding="utf-8"), Loader=LineLoader)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 1 if mark else None
                bank.problems.append(
                    Problem(
                        rel,
                        line,
                        None,
                        f"YAML syntax error: {exc.problem if hasattr(exc, 'problem') else exc}",
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
                entry["__file__"] = rel
                target.append(entry)
    return bank


def _ident(entry, key="id"):
    return str(entry.get(key)) if entry.get(key) is not None else None


def check_bank(bank):
    """Check a parsed bank against the blueprint, itself and the model rules."""
    problems = bank.problems
    tasks = TaskStatement.objects.by_number()
    domains = {d.number: d for d in Domain.objects.all()}

    def problem(entry, message, line=None, key="id"):
        problems.append(
            Problem(entry["__file__"], line or entry.get(LINE), _ident(entry, key), message)
        )

    def check_keys(entry, allowed, what, key="id"):
        unknown = set(entry) - allowed - {LINE, "__file__"}
        if unknown:
            problem(entry, f"unknown {what} key(s): {', '.join(sorted(unknown))}", key=key)

    def check_refs(entry, key="id"):
        refs = entry.get("references") or []
        if not isinstance(refs, list):
            problem(entry, "references must be a list of URLs", key=key)

    card_ids = set()
    for card in bank.cards:
        check_keys(card, CARD_KEYS, "card")
        ident = _ident(card)
        if not ident:
            problem(card, "card has no id")
        elif ident in card_ids:
            problem(card, f"duplicate card id {ident!r}")
        card_ids.add(ident)
        if card.get("domain") not in domains:
            problem(card, f"unknown domain {card.get('domain')!r}")
        for task in card.get("tasks") or []:
            if str(task) not in tasks:
                problem(card, f"unknown task statement {task!r}")
            elif tasks[str(task)].domain.number != card.get("domain"):
                problem(card, f"task statement {task} is not in domain {card.get('domain')}")
        for key in ("belief", "correction"):
            if not str(card.get(key) or "").strip():
                problem(card, f"missing {key}")
        check_refs(card)

    topic_tasks = set()
    for topic in bank.topics:
        check_keys(topic, TOPIC_KEYS, "topic", key="task")
        task = str(topic.get("task"))
        if task not in tasks:
            problem(topic, f"unknown task statement {task!r}", key="task")
        elif task in topic_tasks:
            problem(topic, f"two notes for task statement {task}", key="task")
        topic_tasks.add(task)
        if not str(topic.get("notes") or "").strip():
            problem(topic, "missing notes", key="task")
        check_refs(topic, key="task")

    question_ids = set()
    for q in bank.questions:
        check_keys(q, QUESTION_KEYS, "question")
        ident = _ident(q)
        if not ident:
            problem(q, "question has no id")
        elif ident in question_ids:
            problem(q, f"duplicate question id {ident!r}")
        question_ids.add(ident)
        for key in ("stem", "choices"):
            if not q.get(key):
                problem(q, f"missing {key}")
        if q.get("difficulty") not in (1, 2, 3):
            problem(q, f"difficulty must be 1, 2 or 3, not {q.get('difficulty')!r}")
        status = q.get("status", Question.Status.PUBLISHED)
        if status not in Question.Status.values:
            problem(q, f"unknown status {status!r}")
        if q.get("domain") not in domains:
            problem(q, f"unknown domain {q.get('domain')!r}")
        task = tasks.get(str(q.get("task")))
        if task is None:
            problem(q, f"unknown task statement {q.get('task')!r}")
        choices = q.get("choices") or []
        if not isinstance(choices, list):
            problem(q, "choices must be a list")
            choices = []
        for choice in choices:
            if not isinstance(choice, dict):
                problem(q, "every choice must be a mapping")
                continue
            check_keys(choice, CHOICE_KEYS, "choice")
            for key in ("text", "why"):
                value = choice.get(key)
                if value is not None and not isinstance(value, str):
                    problem(
                        q,
                        f"choice {key} must be text, not {value!r} (quote it in YAML)",
                        line=choice.get(LINE),
                    )
                    choice[key] = ""
            card = choice.get("misconception")
            if card and card not in card_ids:
                problem(q, f"unknown misconception {card!r}", line=choice.get(LINE))
        check_refs(q)
        rule_problems = question_problems(
            kind=q.get("kind"),
            domain_number=q.get("domain"),
            task_domain_number=task.domain.number if task else None,
            choices=[
                {
                    "text": c.get("text"),
                    "is_correct": bool(c.get("correct")),
                    "why": c.get("why"),
                    "misconception": c.get("misconception"),
                }
                for c in choices
                if isinstance(c, dict)
            ],
            references=q.get("references") if isinstance(q.get("references"), list) else [],
            publishing=status == Question.Status.PUBLISHED,
        )
        for message in rule_problems:
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
    for c in q["choices"]:
        choice = {"text": _text(c["text"])}
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
            "choices": [
                {
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
    return Question.objects.select_related("domain", "task__domain").prefetch_related(
        "tags", "choices__misconception"
    )


def fingerprint(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def _decide(obj, current, data, summary, force):
    """'unchanged', 'write', or 'keep' when edited in the admin since its last import."""
    if current == data:
        return "unchanged"
    if obj.source_hash and fingerprint(current) == obj.source_hash or force:
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
            question.source_hash = fingerprint(data)
            question.save()
            question.tags.set(Tag.normalise(data["tags"]))
            _replace_choices(question, data["choices"], existing_cards)
            summary["questions"].count(created)
    return summary


def _replace_choices(question, choices, cards):
    """Update choices in place by position, so answers that refer to a choice keep it."""
    current = {c.position: c for c in question.choices.all()} if question.pk else {}
    keep = set()
    for position, data in enumerate(choices, start=1):
        choice = current.get(position) or Choice(question=question, position=position)
        choice.text = data["text"]
        choice.is_correct = bool(data.get("correct"))
        choice.why = data["why"]
        choice.misconception = cards[data["misconception"]] if data.get("misconception") else None
        choice.save()
        keep.add(position)
    stale = [c.pk for p, c in current.items() if p not in keep]
    if stale:
        Choice.objects.filter(pk__in=stale).delete()


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
