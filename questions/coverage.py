"""How well the bank covers the exam guide's in-scope AWS services, task statements and topics.

Pure logic, no database. Inputs: the hand-made map `fixtures/bank/coverage.yaml` (in-scope
services by category, each with the task statements it serves and the tag names questions use
for it; heavily weighted topics as tag rules), the task statements of `fixtures/blueprint.yaml`,
and questions as parsed by `questions.bank.read_bank` (dicts). Output: a `Coverage` (plain data)
and its Markdown table (`render`), which `manage.py bank_coverage` writes to
`fixtures/bank/COVERAGE.md`.

Counting rules:
- Only published questions count (`status` missing or "published").
- Tags are compared by slug, as `questions.models.Tag.normalise` stores them ("CodeDeploy" and
  "codedeploy" are one tag). A service is "on" a question when the question carries any of the
  service's tags; a question counts once per service however many of its aliases it carries.
- A service's *mapped* count is its questions whose task statement is one the map gives it; its
  *total* counts its questions in every task statement.
- A topic counts a question once when any of its rules matches: one of the rule's tags, and if
  given, a task among the rule's tasks and a match of `mentions` (case-insensitive regular
  expression) in the stem or a correct option.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.utils.text import slugify

MAP_FILE = "coverage.yaml"
TABLE_FILE = "COVERAGE.md"
COMMAND = "python manage.py bank_coverage"


def tag_slug(name):
    """The slug a tag name is stored under (same normalisation as `Tag.normalise`)."""
    return slugify(" ".join(str(name).split()))


@dataclass(frozen=True)
class Service:
    name: str
    category: str
    tags: tuple  # tag names as written in the map; the first is the preferred spelling
    tasks: tuple  # task statements, e.g. ("1.1", "1.4")
    note: str = ""  # shown next to the service when no question carries it

    @property
    def slugs(self):
        return frozenset(tag_slug(t) for t in self.tags)


@dataclass(frozen=True)
class Rule:
    slugs: frozenset
    tasks: frozenset | None = None
    mentions: re.Pattern | None = None

    def matches(self, question):
        if not self.slugs & question.slugs:
            return False
        if self.tasks is not None and question.task not in self.tasks:
            return False
        return self.mentions is None or bool(self.mentions.search(question.text))


@dataclass(frozen=True)
class Topic:
    name: str
    minimum: int
    rules: tuple

    def matches(self, question):
        return any(rule.matches(question) for rule in self.rules)


@dataclass
class CoverageMap:
    guide: str
    categories: list  # [(category name, [Service, ...]), ...] in the map's order
    topics: list  # [Topic, ...]

    @property
    def services(self):
        return [service for _, services in self.categories for service in services]


@dataclass(frozen=True)
class Item:
    """What counting needs from a question."""

    id: str
    task: str
    slugs: frozenset
    names: tuple  # tag names as the question writes them
    text: str  # stem and correct options, for `mentions`


@dataclass
class ServiceRow:
    service: Service
    mapped: int  # questions in the service's task statements that carry one of its tags
    total: int  # questions that carry one of its tags, in any task statement


@dataclass
class TaskRow:
    task: str
    title: str
    questions: int
    services: int  # in-scope services mapped to this task statement
    covered: int  # of those, the ones carried by at least one question in this task


@dataclass
class TopicRow:
    topic: Topic
    questions: int

    @property
    def thin(self):
        return self.questions < self.topic.minimum


@dataclass
class Coverage:
    guide: str
    questions: int
    untagged: list  # ids of published questions with no tag
    categories: list  # [(category, [ServiceRow, ...]), ...]
    tasks: list  # [TaskRow, ...]
    topics: list  # [TopicRow, ...]
    unmapped: list  # [(tag name, questions), ...]: bank tags no in-scope service claims

    @property
    def services(self):
        return [row for _, rows in self.categories for row in rows]

    @property
    def missing(self):
        """In-scope services no published question carries, in map order."""
        return [row.service for row in self.services if row.total == 0]

    @property
    def thin_topics(self):
        return [row for row in self.topics if row.thin]


# --- reading the map and the blueprint


def load_tasks(blueprint_path):
    """Task statements of the blueprint YAML as {"1.1": "Implement CI/CD pipelines", ...}."""
    data = yaml.safe_load(Path(blueprint_path).read_text(encoding="utf-8"))
    return {str(task): title for domain in data for task, title in domain["tasks"].items()}


def _names(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return value
    return None


def _tasks(value, known, where, problems):
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: `tasks` must be a non-empty list of task statements")
        return ()
    tasks = tuple(str(t) for t in value)
    for task in tasks:
        if task not in known:
            problems.append(f'{where}: unknown task statement {task!r} (quote it: "1.1")')
    return tasks


def _check_keys(entry, allowed, where, problems):
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a mapping")
        return False
    for key in sorted(set(entry) - allowed):
        problems.append(f"{where}: unknown key {key!r}")
    return True


def parse_map(data, known_tasks):
    """A `CoverageMap` from the parsed YAML, and every problem found (strings).

    `known_tasks` is the set of task statements ("1.1" ... "6.3"). Refused: unknown keys and task
    statements, services without tags or tasks, a tag claimed by two services, topics without
    rules or a whole-number minimum, and `mentions` that are not valid regular expressions."""
    problems = []
    if not _check_keys(data, {"guide", "categories", "topics"}, "coverage map", problems):
        return None, problems
    guide = data.get("guide")
    if not isinstance(guide, str) or not guide.startswith("https://"):
        problems.append("coverage map: `guide` must be the exam guide's https:// URL")
    categories, owners = [], {}
    for c, category in enumerate(data.get("categories") or []):
        where = f"categories[{c}]"
        if not _check_keys(category, {"name", "services"}, where, problems):
            continue
        cname = category.get("name")
        if not isinstance(cname, str) or not cname.strip():
            problems.append(f"{where}: `name` is required")
            continue
        services = []
        for s, entry in enumerate(category.get("services") or []):
            where = f"{cname} services[{s}]"
            if not _check_keys(entry, {"name", "tags", "tasks", "note"}, where, problems):
                continue
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                problems.append(f"{where}: `name` is required")
                continue
            where = f"{cname}: {name}"
            tags = _names(entry.get("tags"))
            if tags is None:
                problems.append(f"{where}: `tags` must list the tag names questions use")
                continue
            tasks = _tasks(entry.get("tasks"), known_tasks, where, problems)
            service = Service(name, cname, tuple(tags), tasks, str(entry.get("note") or ""))
            for slug in service.slugs:
                if slug in owners:
                    problems.append(
                        f"{where}: tag {slug!r} already belongs to {owners[slug]}; "
                        "a tag can count for one service only"
                    )
                owners[slug] = name
            services.append(service)
        if not services:
            problems.append(f"{where}: lists no services")
        categories.append((cname, services))
    if not categories:
        problems.append("coverage map: `categories` lists no services")
    topics = []
    for t, entry in enumerate(data.get("topics") or []):
        where = f"topics[{t}]"
        if not _check_keys(entry, {"name", "minimum", "rules"}, where, problems):
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: `name` is required")
            continue
        minimum = entry.get("minimum")
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
            problems.append(f"topic {name}: `minimum` must be a whole number of at least 1")
            minimum = 1
        rules = []
        for r, rule in enumerate(entry.get("rules") or []):
            rwhere = f"topic {name} rules[{r}]"
            if not _check_keys(rule, {"tags", "tasks", "mentions"}, rwhere, problems):
                continue
            tags = _names(rule.get("tags"))
            if tags is None:
                problems.append(f"{rwhere}: `tags` must list tag names")
                continue
            tasks = None
            if "tasks" in rule:
                tasks = frozenset(_tasks(rule["tasks"], known_tasks, rwhere, problems))
            pattern = None
            if "mentions" in rule:
                try:
                    pattern = re.compile(str(rule["mentions"]), re.IGNORECASE)
                except re.error as exc:
                    problems.append(f"{rwhere}: `mentions` is not a regular expression: {exc}")
            rules.append(Rule(frozenset(tag_slug(t) for t in tags), tasks, pattern))
        if not rules:
            problems.append(f"topic {name}: needs at least one rule")
        topics.append(Topic(name, minimum, tuple(rules)))
    return CoverageMap(guide or "", categories, topics), problems


def load_map(path, known_tasks):
    """`parse_map` of a YAML file; a file that can't be read or parsed is one problem."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return None, [f"{path}: {exc}"]
    coverage_map, problems = parse_map(data, known_tasks)
    return coverage_map, [f"{path}: {p}" for p in problems]


# --- counting


def published(questions):
    """The questions learners are given: `status` missing or "published"."""
    return [q for q in questions if str(q.get("status") or "published") == "published"]


def _item(question):
    names = tuple(" ".join(str(t).split()) for t in question.get("tags") or [])
    correct = [str(c.get("text") or "") for c in question.get("choices") or [] if c.get("correct")]
    return Item(
        id=str(question.get("id")),
        task=str(question.get("task")),
        slugs=frozenset(tag_slug(n) for n in names if n),
        names=names,
        text="\n".join([str(question.get("stem") or ""), *correct]),
    )


def measure(coverage_map, questions, tasks):
    """Count the published `questions` against `coverage_map`.

    `tasks` maps each task statement to its title (see `load_tasks`). Returns a `Coverage`."""
    items = [_item(q) for q in published(questions)]
    rows_by_category = []
    covered = defaultdict(set)  # task -> names of services carried by a question in that task
    for cname, services in coverage_map.categories:
        rows = []
        for service in services:
            on = [item for item in items if service.slugs & item.slugs]
            mapped = sum(1 for item in on if item.task in service.tasks)
            for item in on:
                covered[item.task].add(service.name)
            rows.append(ServiceRow(service, mapped, len(on)))
        rows_by_category.append((cname, rows))
    per_task = Counter(item.task for item in items)
    task_rows = []
    for task, title in tasks.items():
        mapped = [s.name for s in coverage_map.services if task in s.tasks]
        task_rows.append(
            TaskRow(
                task=task,
                title=title,
                questions=per_task[task],
                services=len(mapped),
                covered=sum(1 for name in mapped if name in covered[task]),
            )
        )
    topic_rows = [
        TopicRow(topic, sum(1 for item in items if topic.matches(item)))
        for topic in coverage_map.topics
    ]
    claimed = set().union(*(s.slugs for s in coverage_map.services))
    unmapped, spelling = Counter(), {}
    for item in items:
        for name in item.names:
            slug = tag_slug(name)
            if slug and slug not in claimed:
                spelling.setdefault(slug, name)
        for slug in item.slugs - claimed:
            unmapped[slug] += 1
    return Coverage(
        guide=coverage_map.guide,
        questions=len(items),
        untagged=[item.id for item in items if not item.slugs],
        categories=rows_by_category,
        tasks=task_rows,
        topics=topic_rows,
        unmapped=sorted(
            ((spelling[slug], n) for slug, n in unmapped.items()),
            key=lambda pair: (-pair[1], pair[0].lower()),
        ),
    )


# --- the table


def _cell(text):
    return str(text).replace("|", "\\|")


def render(coverage):
    """COVERAGE.md for `coverage`: deterministic (no dates), so an unchanged bank renders the
    same text and `--check` can compare it byte for byte."""
    services = coverage.services
    with_questions = sum(1 for row in services if row.total)
    lines = [
        "# Bank coverage of the DOP-C02 in-scope services",
        "",
        f"Generated by `{COMMAND}` from `{MAP_FILE}` next to this file (the exam guide's",
        f"[in-scope services]({coverage.guide}), mapped by hand to task statements) and the",
        "published questions' `tags:`. Do not edit by hand: change the map or the questions and",
        "run the command again.",
        "",
        f"{coverage.questions} published questions; {len(services)} in-scope services in "
        f"{len(coverage.categories)} categories, {with_questions} of them on at least one "
        "question.",
        "",
        "## Heavily weighted topics",
        "",
        "| topic | questions | minimum | |",
        "|---|--:|--:|---|",
    ]
    for row in coverage.topics:
        state = f"**{row.topic.minimum - row.questions} short**" if row.thin else "ok"
        lines.append(
            f"| {_cell(row.topic.name)} | {row.questions} | {row.topic.minimum} | {state} |"
        )
    lines += [
        "",
        "## By task statement",
        "",
        "Services: in-scope services the map gives the task statement; on a question: how many",
        "of them at least one of its questions carries.",
        "",
        "| task | statement | questions | services | on a question |",
        "|---|---|--:|--:|--:|",
    ]
    for row in coverage.tasks:
        lines.append(
            f"| {row.task} | {_cell(row.title)} | {row.questions} | {row.services} | "
            f"{row.covered} |"
        )
    lines += [
        "",
        "## Services by category",
        "",
        "In its tasks: questions in the task statements the service maps to that carry one of",
        "its tags; total: questions that carry one of its tags in any task statement.",
    ]
    for cname, rows in coverage.categories:
        lines += [
            "",
            f"### {cname}",
            "",
            "| service | tags | tasks | in its tasks | total |",
            "|---|---|---|--:|--:|",
        ]
        for row in rows:
            s = row.service
            lines.append(
                f"| {_cell(s.name)} | {_cell(', '.join(s.tags))} | {', '.join(s.tasks)} | "
                f"{row.mapped} | {row.total} |"
            )
    lines += ["", "## In-scope services with no question", ""]
    lines += [
        f"- {s.name} ({s.category})" + (f": {s.note}" if s.note else "") for s in coverage.missing
    ] or ["None."]
    lines += [
        "",
        "## Bank tags not mapped to an in-scope service",
        "",
        "Tags no service in the map claims: a service the guide does not list, or a spelling to",
        "add to a service's `tags`.",
        "",
    ]
    if coverage.unmapped:
        lines += ["| tag | questions |", "|---|--:|"]
        lines += [f"| {_cell(name)} | {n} |" for name, n in coverage.unmapped]
    else:
        lines.append("None.")
    if coverage.untagged:
        lines += ["", "## Published questions without a tag", ""]
        lines += [f"- {ident}" for ident in coverage.untagged]
    return "\n".join(lines) + "\n"
