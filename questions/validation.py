"""The rules a question must satisfy. Admin, import and API all call `question_problems`."""

import re

from domains.blueprint import MULTIPLE_MIN_CHOICES, SINGLE_MIN_CHOICES

SINGLE = "single"
MULTIPLE = "multiple"
URL_RE = re.compile(r"^https?://[^\s]+$")


def question_problems(*, kind, domain_number, task_domain_number, choices, references, publishing):
    """Return a list of human-readable problems (empty when the question is valid).

    `choices` is a list of dicts with `text`, `is_correct` and `why`. `publishing` is true for
    a question learners will see (published, or a pilot: its explanation is shown after a mock).
    """
    problems = []
    if kind not in (SINGLE, MULTIPLE):
        problems.append(f"kind must be 'single' or 'multiple', not {kind!r}")
    if task_domain_number is not None and domain_number != task_domain_number:
        problems.append(
            f"the task statement belongs to domain {task_domain_number}, not domain {domain_number}"
        )
    correct = sum(1 for choice in choices if choice.get("is_correct"))
    if kind == SINGLE:
        if len(choices) < SINGLE_MIN_CHOICES:
            problems.append(
                f"a single-response question needs at least {SINGLE_MIN_CHOICES} choices"
            )
        if correct != 1:
            problems.append(
                f"a single-response question needs exactly one correct choice, not {correct}"
            )
    elif kind == MULTIPLE:
        if len(choices) < MULTIPLE_MIN_CHOICES:
            problems.append(
                f"a multiple-response question needs at least {MULTIPLE_MIN_CHOICES} choices"
            )
        if correct < 2:
            problems.append(
                f"a multiple-response question needs at least two correct choices, not {correct}"
            )
        if correct == len(choices):
            problems.append("a multiple-response question needs at least one wrong choice")
    for index, choice in enumerate(choices, start=1):
        if not (choice.get("text") or "").strip():
            problems.append(f"choice {index} has no text")
        if not (choice.get("why") or "").strip():
            problems.append(f"choice {index} has no 'why' (explain why it is right or wrong)")
        if choice.get("is_correct") and choice.get("misconception"):
            problems.append(f"choice {index} is correct but links a misconception card")
    if publishing and not references:
        problems.append("a published question needs at least one reference (pilots too)")
    for ref in references or []:
        if not URL_RE.match(str(ref)):
            problems.append(f"reference {ref!r} is not a URL")
    return problems
