"""Write the two audit fixture banks (run from the repo root; the YAML is committed).

planted/: every cue the audit hunts, planted on purpose: the key is always the longest option
  (the k longest on multiple-response), distractors state their own reason (", because ...")
  and carry absolute words. audit_bank must fail it and name these cues.
clean/: built so that no surface cue can work. Each set of options appears in several
  questions with the key rotated through every option, so any rule that reads only the options
  and stem picks the key exactly as often as chance; stems are deep scenarios with `constraints:`.

    python tests/data/audit/generate.py
"""

from pathlib import Path

import yaml

HERE = Path(__file__).parent
SERVICES = [
    ("CodeDeploy", "deployment group"),
    ("CloudFormation", "stack set"),
    ("EventBridge", "event bus"),
    ("Systems Manager", "maintenance window"),
    ("CloudWatch", "composite alarm"),
    ("Config", "conformance pack"),
    ("Organizations", "service control policy"),
    ("Backup", "backup plan"),
    ("Lambda", "alias"),
    ("ECS", "service"),
    ("Route 53", "health check"),
    ("S3", "replication rule"),
    ("KMS", "key policy"),
    ("CodeBuild", "project"),
    ("Inspector", "scan configuration"),
    ("GuardDuty", "detector"),
    ("Aurora", "global database"),
    ("DynamoDB", "global table"),
    ("Step Functions", "state machine"),
    ("CodePipeline", "stage"),
]
ACTIONS = ["Configure", "Create", "Attach", "Enable", "Add", "Set up"]
PLACES = [
    "in the shared services account",
    "in each workload account",
    "in the delegated administrator account",
    "in the management account",
    "in the security tooling account",
    "in the log archive account",
]
EXTRAS = [
    "",
    " and tag it with the cost centre",
    " with a daily schedule",
    " and send its findings to Security Hub",
    " behind an approval step",
    " and record the change in the runbook",
]
CONSTRAINTS = [
    "forty accounts in AWS Organizations, more each month",
    "least operational overhead",
    "recovery point objective of five minutes",
    "auditors need a record of every change",
    "the team has no in-house Python skills",
    "cost must not grow with the number of accounts",
]


def option(i, j):
    service, thing = SERVICES[(i + j) % len(SERVICES)]
    action = ACTIONS[(i + 2 * j) % len(ACTIONS)]
    place = PLACES[(i + j) % len(PLACES)]
    extra = EXTRAS[(j + i // 3) % len(EXTRAS)]
    return f"{action} an AWS {service} {thing} {place}{extra}"


def stem(i, kind, k, depth):
    a, b = CONSTRAINTS[i % 6], CONSTRAINTS[(i + 2) % 6]
    text = (
        f"A retailer runs workload {i} on AWS. The platform team must meet two requirements: "
        f"{a}, and {b}. "
    )
    if depth:
        text += (
            "Today the team deploys by hand from a bastion host, keeps configuration in a wiki, "
            "and finds out about failures from customer tickets. Releases happen twice a week "
            "during business hours, and a failed release has twice left the checkout page down "
            "for more than an hour. The security team reviews every cross-account permission, "
            "and the finance team asks for a monthly report of spend per workload. The company "
            "plans to double the number of workloads next year without hiring more engineers, "
            "and the auditors visit every quarter. "
        )
    text += "Which solution meets these requirements?"
    if kind == "multiple":
        text += f" (Choose {['', '', 'TWO', 'THREE'][k]}.)"
    return text, [a, b]


def question(ident, i, kind, texts, keys, depth):
    text, constraints = stem(i, kind, len(keys), depth)
    q = {
        "id": ident,
        "domain": 1 + i % 6,
        "task": f"{1 + i % 6}.1",
        "kind": kind,
        "difficulty": 1 + i % 3,
        "tags": ["CodeDeploy"],
        "stem": text,
    }
    if depth:
        q["constraints"] = constraints
        q["verified"] = "2026-11-01"
    q["choices"] = []
    for n, body in enumerate(texts):
        choice = {"key": "abcdef"[n], "text": body}
        if n in keys:
            choice["correct"] = True
            choice["why"] = "This meets both stated requirements with managed features."
        else:
            choice["why"] = "This misses one of the stated requirements in the scenario."
        q["choices"].append(choice)
    q["explanation"] = "The stated requirements decide between the designs."
    q["references"] = ["https://docs.aws.amazon.com/codedeploy/latest/userguide/welcome.html"]
    return q


def planted():
    out = []
    for i in range(24):
        kind = "single" if i < 16 else "multiple"
        n, k = (4, 1) if kind == "single" else (5, 2)
        texts = []
        for j in range(n):
            base = option(i, j)
            if j < k:  # keys: long, neutral, detailed
                texts.append(
                    f"{base}, scoped by account and Region, reviewed by the platform team, "
                    "and monitored with a CloudWatch dashboard"
                )
            else:  # distractors: short, absolute, self-justifying
                texts.append(f"{base}, because it always works in every account")
        out.append(question(f"planted-{i:02d}", i, kind, texts, set(range(k)), False))
    return out


def clean():
    out = []
    # 30 single-response option sets x 4 rotations, 14 multiple-response sets x 5 rotations.
    for s in range(30):
        texts = [option(s, j) for j in range(4)]
        for r in range(4):
            out.append(question(f"clean-s{s:02d}-{r}", s, "single", texts, {r}, True))
    for s in range(14):
        texts = [option(s + 30, j) for j in range(5)]
        for r in range(5):
            keys = {r, (r + 1) % 5}
            out.append(question(f"clean-m{s:02d}-{r}", s + 30, "multiple", texts, keys, True))
    return out


def write(name, questions):
    folder = HERE / name / "questions"
    folder.mkdir(parents=True, exist_ok=True)
    header = f"# Generated by tests/data/audit/generate.py: the {name} audit fixture bank.\n"
    body = yaml.safe_dump(questions, sort_keys=False, allow_unicode=True, width=100)
    (folder / f"{name}.yaml").write_text(header + body, encoding="utf-8")


if __name__ == "__main__":
    write("planted", planted())
    write("clean", clean())
