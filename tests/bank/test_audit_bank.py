"""audit_bank: a test-wise candidate's attack on the bank, and the thresholds it must not beat.

Fixture banks (tests/data/audit/, written by generate.py there): `planted` carries every cue
the audit hunts; `clean` rotates each key through every option so no surface cue can work.
"""

import json
import random
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from questions import audit as audit_module
from questions.audit import (
    REWRITTEN_DOMAINS,
    absolute_words,
    audit,
    justification_clauses,
    load_questions,
    make_item,
    picks,
    score,
    split_halves,
    wilson,
)
from questions.bank import read_bank

DATA = Path(__file__).parent.parent / "data" / "audit"
PLANTED = DATA / "planted"
CLEAN = DATA / "clean"
SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "bank"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("audit_bank", *map(str, args), stdout=out, stderr=err)
    return out.getvalue()


def question(ident, texts, correct=(0,), stem="A team needs a design.", **extra):
    return {
        "id": ident,
        "domain": 1,
        "task": "1.1",
        "kind": "single" if len(correct) == 1 else "multiple",
        "difficulty": 2,
        "stem": stem,
        "choices": [
            {"text": t, "correct": i in correct, "why": "Because."} for i, t in enumerate(texts)
        ],
        **extra,
    }


# --- the command on the fixture banks


def test_planted_cues_make_the_command_exit_non_zero_naming_cues_and_items():
    result = subprocess.run(
        [sys.executable, "manage.py", "audit_bank", str(PLANTED)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    out = result.stdout
    for check in ("[heuristic-single]", "[length-rank-4-1]", "[justification]", "[absolutes]"):
        assert check in out
    assert "the key is length rank 1 (1 = longest) 100.0 %" in out
    assert "justification clauses: 100.0 % of distractors vs 0.0 % of keys" in out
    failures = [line for line in out.splitlines() if line.startswith("- [justification]")]
    assert failures[0].count("planted-") == 15 and failures[0].endswith("and 9 more")
    assert "threshold(s) missed" in result.stderr


def test_clean_bank_passes_every_threshold_including_depth():
    out = run(CLEAN, "--rewritten")
    assert "Depth (judged)" in out
    assert "All thresholds met." in out


def test_json_output_parses_and_carries_the_failures_with_their_items(monkeypatch):
    monkeypatch.setattr(audit_module, "REWRITTEN_DOMAINS", ())  # depth: reported, not judged
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("audit_bank", str(PLANTED), "--json", stdout=out)
    assert raised.value.returncode == 1
    data = json.loads(out.getvalue())
    assert data["questions"] == 24
    assert data["thresholds"]["max_edge_single"] == audit_module.MAX_EDGE_SINGLE
    checks = {f["check"]: f for f in data["failures"]}
    assert {"heuristic-single", "length-rank-4-1", "justification", "absolutes"} <= set(checks)
    assert len(checks["justification"]["ids"]) == 24
    exposure = {item["id"]: item["exposure"] for item in data["items"]}
    named = [exposure[ident] for ident in checks["justification"]["ids"]]
    assert named == sorted(named, reverse=True)  # the most exposed questions first
    planted = next(item for item in data["items"] if item["id"] == "planted-00")
    assert planted["key_length_ranks"] == [1]
    assert planted["justification"] == {k: ["because"] for k in "bcd"}
    single = {row["name"]: row["single"] for row in data["heuristics"]}
    assert single["longest"]["score"] == 100.0 and single["longest"]["chance"] == 25.0
    assert single["shortest"]["score"] == 0.0

    failing = [c["check"] for c in data["checks"] if c["judged"] and not c["passed"]]
    assert "justification clauses: distractors minus keys, points" in failing
    assert not any(c["judged"] for c in data["checks"] if "stem" in c["check"])  # not rewritten

    clean = json.loads(run(CLEAN, "--json"))
    assert clean["failures"] == [] and clean["questions"] == 190
    assert all(c["passed"] for c in clean["checks"])


def test_domains_option_restricts_the_audit():
    data = json.loads(run(CLEAN, "--json", "--domains", "2,5"))
    assert data["domains"] == [2, 5]
    assert set(data["counts"]["domain"]) == {"2", "5"}


def test_one_questions_file_can_be_audited():
    data = json.loads(run(CLEAN / "questions" / "clean.yaml", "--json"))
    assert data["questions"] == 190


def test_unreadable_path_and_bad_domains_are_clear_errors():
    with pytest.raises(CommandError, match="problem"):
        run(DATA / "no-such-folder")
    with pytest.raises(CommandError):
        run(CLEAN, "--domains", "7")


# --- depth, constraints and REWRITTEN_DOMAINS


def test_depth_is_judged_only_for_a_rewritten_selection(monkeypatch):
    monkeypatch.setattr(audit_module, "REWRITTEN_DOMAINS", ())
    questions, _ = load_questions(PLANTED)
    assert audit(questions).depth_checked is False
    forced = audit(questions, depth=True)
    failing = {f.check: f for f in forced.failures}
    assert {"stem-median", "stem-long-share", "constraints"} <= set(failing)
    assert "planted-00" in failing["constraints"].ids

    monkeypatch.setattr(audit_module, "REWRITTEN_DOMAINS", (1,))
    assert audit(questions, domains=[1]).depth_checked is True
    assert audit(questions, domains=[1, 2]).depth_checked is False
    assert audit(questions, domains=[1], depth=False).depth_checked is False


def test_constraints_keys_and_verified_are_read_when_present():
    q = question(
        "q",
        ["Use A", "Use B", "Use C", "Use D"],
        constraints=["least operational overhead", "RPO of five minutes"],
        verified="2026-11-01",
    )
    for choice, key in zip(q["choices"], "wxyz", strict=True):
        choice["key"] = key
    item = make_item(q)
    assert item.constraints == ("least operational overhead", "RPO of five minutes")
    assert item.verified == "2026-11-01"
    assert [o.key for o in item.options] == ["w", "x", "y", "z"]
    result = audit([q], depth=True)
    assert result.depth["constraints_share"] == 100.0
    assert result.counts["verified"] == 1


def test_shipped_bank_meets_every_threshold_in_the_rewritten_domains():
    if not REWRITTEN_DOMAINS:
        pytest.skip("no domain is rewritten yet: questions.audit.REWRITTEN_DOMAINS is empty")
    result = audit(read_bank(SHIPPED).questions, domains=REWRITTEN_DOMAINS, depth=True)
    assert result.domains == sorted(REWRITTEN_DOMAINS)
    assert [f"{f.check}: {f.message}: {', '.join(f.ids[:10])}" for f in result.failures] == []


# --- the attack itself


def test_justification_clauses_are_found_and_neutral_options_are_not():
    assert justification_clauses("Use Lambda, because it retries twice.") == ("because",)
    assert justification_clauses("Add a standby so that failover is automatic.") == ("so that",)
    assert justification_clauses("Use S3, which avoids managing servers.") == ("which-clause",)
    assert justification_clauses("Enable versioning to ensure nothing is lost.") == (
        "to + purpose",
    )
    assert justification_clauses("Attach a policy that allows s3:GetObject.") == ()
    assert justification_clauses("Leave the buildspec as it is.") == ()


def test_absolute_words_are_found_but_not_inside_compounds():
    assert absolute_words("It always retries and never drops events.") == ("always", "never")
    assert absolute_words("Mount the volume read-only in each account.") == ()


def test_filter_then_pick_drops_justified_options_before_ranking_by_length():
    q = question(
        "q",
        [
            "Run the job on Fargate with a scheduled rule",  # key: 2nd longest once filtered
            "Run the job on EC2, because Fargate cannot run scheduled jobs at all",
            "Run the job on Lambda with a daily cron expression here",
            "Run it on Batch",
        ],
    )
    item = make_item(q)
    assert picks(item, "second-longest")[0].text.startswith("Run the job on Lambda")
    assert picks(item, ("no-justification", "second-longest"))[0].correct


def test_multiple_response_scores_the_share_of_picks_that_are_keys():
    q = question(
        "m",
        ["Use a much longer option one here", "Use a longer option two", "A", "B", "C"],
        correct=(0, 2),
    )
    result = score([make_item(q)], "longest")
    assert (result.hits, result.trials, result.score, result.chance) == (1, 2, 50.0, 40.0)


def test_wilson_interval_matches_published_values():
    assert wilson(5, 10) == (23.7, 76.3)
    assert wilson(0, 10) == (0.0, 27.8)
    assert wilson(0, 0) == (None, None)


def test_ties_are_broken_at_random_by_the_seed_not_by_position():
    # Four identical-looking options, key always first in the YAML: a positional tiebreak
    # would score 100 %, a random one about 25 %.
    bank = [question(f"t{i}", ["Use W", "Use X", "Use Y", "Use Z"]) for i in range(80)]
    first = audit(bank).heuristics[0]["single"]
    assert 10 <= first.score <= 40
    again = audit(bank).heuristics[0]["single"]
    assert again.right == first.right

    reversed_options = [dict(q, choices=list(reversed(q["choices"]))) for q in bank]
    assert audit(reversed_options).heuristics[0]["single"].right == first.right
    other_seed = audit(bank, seed=11).heuristics[0]["single"]
    assert other_seed.right != first.right


def test_held_out_choice_is_deterministic_and_independent_of_file_order():
    questions, _ = load_questions(CLEAN)
    items = [make_item(q) for q in questions]
    search, held = split_halves(items)
    assert not search & held and len(search | held) == len(items)
    assert abs(len(search) - len(held)) <= 2
    shuffled = list(items)
    random.Random(3).shuffle(shuffled)
    assert split_halves(shuffled) == (search, held)
    assert split_halves(items, seed=11) != (search, held)

    a = audit(questions).held_out
    b = audit(list(reversed(questions))).held_out
    for kind in ("single", "multiple"):
        assert a[kind]["strategy"] == b[kind]["strategy"]
        assert a[kind]["held_out"].score == b[kind]["held_out"].score
        assert sorted(a[kind]["held_out"].right) == sorted(b[kind]["held_out"].right)


def test_held_out_half_does_not_flatter_the_search_on_a_clean_bank():
    from questions.audit import SPLITS

    questions, _ = load_questions(CLEAN)
    result = audit(questions)
    single = result.held_out["single"]
    best_in_sample = max(row["single"].edge for row in result.heuristics)
    # Searching 144 strategies finds one that looks good on the whole clean bank; chosen on one
    # half and tested on the other, over SPLITS splits, the edge shrinks back toward chance.
    assert best_in_sample > single["held_out"].edge
    assert abs(single["held_out"].edge) < 8 and single["splits"] == SPLITS
