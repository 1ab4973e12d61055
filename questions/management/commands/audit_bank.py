"""Attack the question bank as a test-wise candidate would, and say where it gives keys away.

Why a command: authors and reviewers run it on a draft folder or one YAML file before a rewrite
lands, and CI asserts the same thresholds (tests/bank/test_audit_bank.py). The logic lives in
`questions/audit.py`; this module only reads the arguments and prints. No database is used.

Exit status: 0 when every threshold is met, 1 when one is missed (the report names the items
each failing check gets right), 2 when the path cannot be read.
"""

import argparse
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions import audit as audit_module
from questions.audit import audit, load_questions

DEFAULT_PATH = settings.BASE_DIR / "fixtures" / "bank"
IDS_SHOWN = 15


def _domains(value):
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"takes numbers separated by commas, not {value!r}"
        ) from None
    if not numbers or any(not 1 <= n <= 6 for n in numbers):
        raise argparse.ArgumentTypeError(f"takes domain numbers 1-6, not {value!r}")
    return numbers


def _fmt(value, unit=" %"):
    return "-" if value is None else f"{value:g}{unit}"


def _score(s):
    if not s.trials:
        return "-"
    return f"{s.score:5.1f} [{s.low:5.1f}-{s.high:5.1f}] {s.edge:+5.1f}"


class Command(BaseCommand):
    help = (
        "Measure how far surface cues (length, justification clauses, absolute words, overlap) "
        "answer the bank without AWS knowledge; exit 1 when a threshold is missed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DEFAULT_PATH),
            help="A bank folder (like fixtures/bank) or one questions YAML file.",
        )
        parser.add_argument("--json", action="store_true", help="Print the audit as JSON.")
        parser.add_argument(
            "--domains", type=_domains, help="Audit only these domains, e.g. --domains 1,3."
        )
        depth = parser.add_mutually_exclusive_group()
        depth.add_argument(
            "--rewritten",
            dest="depth",
            action="store_const",
            const=True,
            help="Check as a rewritten bank: apply the depth thresholds (stem length, "
            "constraints) too. Default: only when every audited domain is in REWRITTEN_DOMAINS.",
        )
        depth.add_argument(
            "--no-depth",
            dest="depth",
            action="store_const",
            const=False,
            help="Report stem depth but never judge it.",
        )
        parser.add_argument(
            "--seed", type=int, default=audit_module.SEED, help="Seed for ties and the split."
        )
        parser.add_argument(
            "--top",
            type=int,
            default=0,
            help="Print only the N strategies with the highest single-response edge (0 = all).",
        )

    def handle(self, *args, path, json, domains, depth, seed, top, verbosity, **options):
        questions, problems = load_questions(path)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{path}: {len(problems)} problem(s) reading the bank.", returncode=2
            )
        result = audit(questions, source=path, domains=domains, depth=depth, seed=seed)
        if not result.questions:
            raise CommandError(f"{path}: no questions to audit.", returncode=2)
        if json:
            self.stdout.write(_json_dumps(result.as_dict()))
        else:
            self._print(result, top, verbosity)
        if result.failures:
            raise CommandError(
                f"{len(result.failures)} threshold(s) missed: "
                + ", ".join(f.check for f in result.failures),
                returncode=1,
            )

    def _print(self, r, top, verbosity):
        w = self.stdout.write
        kinds = r.counts["kind"]
        w(
            f"Audit of {r.source}: {r.questions} questions ({kinds.get('single', 0)} single, "
            f"{kinds.get('multiple', 0)} multiple), domains {', '.join(map(str, r.domains))}, "
            f"seed {r.seed}"
        )
        if r.skipped:
            w(f"Skipped (no choices or no key): {', '.join(r.skipped)}")
        w("")
        w("Surface heuristics (whole selection). Score % [95 % Wilson interval] edge over chance.")
        w("A > B: drop the options cue A rates worst, then pick by cue B.")
        rows = sorted(
            r.heuristics,
            key=lambda row: (-(row["single"].edge or -999), -(row["multiple"].edge or -999)),
        )
        if top:
            rows = rows[:top]
        single = r.heuristics[0]["single"]
        multiple = r.heuristics[0]["multiple"]
        w(
            f"{'strategy':<38} {'single (chance ' + _fmt(single.chance) + ')':<27}"
            f"{'multiple: picks that are keys (chance ' + _fmt(multiple.chance) + ')'}"
        )
        for row in rows:
            w(f"{row['name']:<38} {_score(row['single']):<27}{_score(row['multiple'])}")
        w("")
        w(
            "Best strategy chosen on a seeded half, scored on the other (held-out) half, "
            "averaged over seeded splits:"
        )
        for kind, limit in (
            ("single", r.thresholds["max_edge_single"]),
            ("multiple", r.thresholds["max_edge_multiple"]),
        ):
            best = r.held_out.get(kind)
            if not best:
                w(f"  {kind:<8} too few questions to split")
                continue
            h = best["held_out"]
            chosen = ", ".join(f"{name} x{n}" for name, n in best["chosen"].items())
            w(
                f"  {kind:<8} held-out {h.score:g} % [{h.low:g}-{h.high:g}] vs chance "
                f"{h.chance:g} %: {h.edge:+g} points (limit +{limit:g}) over {best['splits']} "
                f"splits of {h.questions} held-out questions; chosen most: {chosen}"
            )
        w("")
        w("Key's length rank (1 = longest): share of keys at each rank vs chance 1/n")
        for group in r.length_ranks:
            cells = "  ".join(f"#{x['rank']} {x['share']:g} %" for x in group["ranks"])
            note = "" if group["checked"] else "  (too few questions to judge)"
            w(
                f"  {group['options']} options, {group['questions']} questions, chance "
                f"{group['chance']:g} %: {cells}{note}"
            )
        w(f"  limit: no rank more than +{r.thresholds['max_length_rank_edge']:g} points")
        w("")
        w("Cues in the option text: keys vs distractors")
        for cue, label in (
            ("justification", "justification clause"),
            ("absolutes", "absolute word"),
        ):
            c = r.cues[cue]
            found = ", ".join(f"{k} {v}" for k, v in list(c["found"].items())[:8])
            w(
                f"  {label:<22} keys {_fmt(c['keys'])}, distractors {_fmt(c['distractors'])}, gap "
                f"{_fmt(c['gap'], ' points')} (limit ±{r.thresholds['max_cue_gap']:g})"
                + (f"  [{found}]" if found else "")
            )
        w("")
        d = r.depth
        state = "judged" if r.depth_checked else "reported only (not a rewritten selection)"
        w(f"Depth ({state}):")
        w(
            f"  median stem {_fmt(d['median_stem_words'], ' words')} (min "
            f"{r.thresholds['min_median_stem_words']}), stems >= {r.thresholds['long_stem_words']} "
            f"words {_fmt(d['long_stem_share'])} (min {r.thresholds['min_long_stem_share']:g} %), "
            f">= {r.thresholds['min_constraints']} constraints {_fmt(d['constraints_share'])} "
            "(min 100 %)"
        )
        w("")
        c = r.counts
        for name in ("domain", "task", "kind", "difficulty"):
            w(f"  per {name}: " + ", ".join(f"{k}: {v}" for k, v in c[name].items()))
        w(f"  verified: {c['verified']} of {r.questions}")
        if verbosity >= 2:
            w("")
            w("Per question (most exposed first): key length ranks, options with cues")
            for item in sorted(r.items, key=lambda i: -(i["exposure"] or 0)):
                cues = "; ".join(
                    f"{label} {key}: {', '.join(found)}"
                    for part, label in (("justification", "clause"), ("absolutes", "absolute"))
                    for key, found in item[part].items()
                )
                w(
                    f"  {item['id']:<50} {item['exposure'] or 0:5.1f} %  ranks "
                    f"{','.join(map(str, item['key_length_ranks']))}/{item['options']}  "
                    f"stem {item['stem_words']}w  constraints {item['constraints']}"
                    + (f"  [{cues}]" if cues else "")
                )
        if verbosity >= 1 and r.exposed:
            w("")
            w("Most exposed questions (share of all strategies that answer them right):")
            w("  " + ", ".join(f"{e['id']} {e['share']:g} %" for e in r.exposed[:10]))
        w("")
        w("Checks (thresholds are in questions/audit.py):")
        for c in r.checks:
            if c["value"] is None:
                state = "n/a "
            elif not c["judged"]:
                state = "info"
            else:
                state = "pass" if c["passed"] else "FAIL"
            w(f"  {state}  {c['check']:<72} {_fmt(c['value'], ''):>6}  (limit {c['limit']})")
        w("")
        if not r.failures:
            w(self.style.SUCCESS("All thresholds met."))
            return
        w(
            self.style.ERROR(
                f"{len(r.failures)} threshold(s) missed (questions most strategies answer right "
                "first; -v 2 lists every question):"
            )
        )
        for f in r.failures:
            shown = ", ".join(f.ids[:IDS_SHOWN])
            more = f" and {len(f.ids) - IDS_SHOWN} more" if len(f.ids) > IDS_SHOWN else ""
            w(f"- [{f.check}] {f.message}: {shown}{more}")


def _json_dumps(data):
    return json.dumps(data, indent=2, sort_keys=False)
