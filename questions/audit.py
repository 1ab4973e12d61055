"""Attack the bank as a test-wise candidate would: how far do surface cues alone get?

Pure logic, no database: it reads questions as parsed by `questions.bank.read_bank` (dicts) and
returns an `Audit` (plain data, JSON-serialisable with `Audit.as_dict()`). The command
`manage.py audit_bank` prints it; `tests/bank/test_audit_bank.py` asserts its thresholds over the
shipped bank for the domains listed in `REWRITTEN_DOMAINS`.

What it measures (the standard is in fixtures/bank/README.md, "Item-writing standard"):

- Heuristics: each *cue* scores every option (higher = "looks like the key"). A strategy is one
  cue ("pick the option the cue rates highest") or an ordered pair ("drop the options cue A rates
  worst, then pick by cue B"). On single-response questions the score is the share answered
  right; on multiple-response questions the strategy picks the top k options (k = number of
  keys) and the score is the share of picks that are keys. Chance is 1/n per single question
  and k/n per pick. Intervals are 95 % Wilson score intervals (Wilson 1927); for picks they treat
  picks as independent, which makes them a little narrow.
- Held-out: the best strategy is chosen on a seeded random half of the questions (stratified by
  kind) and scored on the other half, so the search does not flatter it; the figure pools the
  held-out halves of SPLITS seeded splits, so one lucky split doesn't decide it.
- Ties between options are broken at random: each option draws a number from a generator seeded
  with `seed`, the question id and the option text, so a run is repeatable and independent of the
  order of questions and options in the YAML (options are shuffled per sitting anyway).
- Length rank of the key per option count, justification clauses and absolute words in keys vs
  distractors, stem depth, `constraints:` and counts.

All figures are point estimates compared with effect-size thresholds (points above chance or
between groups), not p-values, so the bar does not loosen or tighten as the bank grows.
"""

import math
import random
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from itertools import permutations
from pathlib import Path

import yaml

from .bank import LineLoader, read_bank

# Domains whose questions have been rewritten to the standard. The content test applies every
# threshold (surface and depth) to exactly these domains; add a domain when its rewrite lands.
REWRITTEN_DOMAINS: tuple[int, ...] = (1, 2, 3, 4, 5, 6)

SEED = 10
SPLITS = 25  # random search/held-out splits averaged for the held-out figure

# Thresholds, in percentage points (effect sizes).
MAX_EDGE_SINGLE = 8.0  # best strategy on the held-out half, single-response, above chance
MAX_EDGE_MULTIPLE = 8.0  # same, share of multiple-response picks that are keys, above chance
MAX_LENGTH_RANK_EDGE = 10.0  # any length rank's share of keys above 1/n, per option count
MIN_QUESTIONS_FOR_RANK_CHECK = 10  # an option count with fewer questions is reported, not judged
MAX_CUE_GAP = 5.0  # justification clauses / absolute words: keys vs distractors, either way
# Depth thresholds: applied to a rewritten bank only (see `audit(depth=...)`).
MIN_MEDIAN_STEM_WORDS = 100
LONG_STEM_WORDS = 110
MIN_LONG_STEM_SHARE = 35.0  # percent of stems with >= LONG_STEM_WORDS words
MIN_CONSTRAINTS = 2  # every question names at least this many deciding constraints

# Clauses that state why an option works or fails, in the option's own text. The reason belongs
# in `why`. (name, pattern); case-insensitive.
JUSTIFICATION_PATTERNS = (
    ("because", r"\bbecause\b"),
    ("since", r",\s*since\b|^since\b"),
    ("so that", r"\bso that\b"),
    (", so", r",\s*so\b(?! that)"),
    (
        "as it/this",
        r",\s*as (?:it|this|that|they|these|those|there)\b"
        r"|\bas (?:it|this|they) (?:would|will|does|do|can|lets|gives|keeps|avoids|ensures)\b",
    ),
    ("given that", r"\bgiven that\b"),
    (
        "which-clause",
        r",\s*which\b|\bwhich\s+(?:avoids|ensures|guarantees|prevents|eliminates|"
        r"removes the need|means|makes sure|satisfies|meets|breaks|violates|fails|would|will)\b",
    ),
    (
        "to + purpose",
        r"\b(?:to|in order to)\s+(?:ensure|guarantee|avoid|prevent|eliminate|make sure|"
        r"satisfy|meet the)\b",
    ),
    (
        ", -ing consequence",
        r",\s*(?:thereby|ensuring|avoiding|preventing|eliminating|guaranteeing|"
        r"removing the need|which means)\b",
    ),
    ("otherwise", r",\s*otherwise\b"),
)
JUSTIFICATION = tuple((name, re.compile(p, re.IGNORECASE)) for name, p in JUSTIFICATION_PATTERNS)


def _wordset(text):
    return frozenset(text.split())


ABSOLUTE_WORDS = _wordset(
    "always never only cannot can't must none nothing every everything all entirely "
    "completely guarantee guarantees guaranteed impossible solely exclusively"
)
NEGATIONS = _wordset("not no never without cannot can't none nothing neither nor")
HEDGES = _wordset(
    "usually typically generally often may might can could sometimes some most likely "
    "frequently probably"
)
STOPWORDS = _wordset(
    """a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our out over own same she should so some
    such than that the their them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your use uses
    using used new one two three"""
)
WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")
TECH = re.compile(r"\d|[a-z][A-Z]|[A-Za-z][._:/][A-Za-z0-9]|`")


def _tokens(text):
    return [w.strip("'-") for w in WORD.findall(text.lower())]


def _content_words(text):
    words = set()
    for w in _tokens(text):
        if w in STOPWORDS or len(w) < 2:
            continue
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        words.add(w)
    return frozenset(words)


def justification_clauses(text):
    """Names of the justification patterns found in `text` (empty tuple if none)."""
    flat = " ".join(str(text).split())
    return tuple(name for name, pattern in JUSTIFICATION if pattern.search(flat))


def absolute_words(text):
    """The absolute words in `text`, in order of appearance."""
    return tuple(w for w in _tokens(text) if w in ABSOLUTE_WORDS)


def _jaccard(a, b):
    return len(a & b) / len(a | b) if a or b else 0.0


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    correct: bool
    chars: int
    justification: tuple
    absolutes: tuple
    negations: int
    hedges: int
    specifics: int
    stem_overlap: float  # share of the option's content words that appear in the stem
    convergence: float  # mean Jaccard similarity of content words with the other options
    tiebreak: float  # seeded by (seed, question id, text): orders options a cue rates equally


@dataclass(frozen=True)
class Item:
    id: str
    domain: int | None
    task: str
    kind: str
    difficulty: int | None
    stem_words: int
    constraints: tuple
    verified: str | None
    options: tuple

    @property
    def k(self):
        return sum(1 for o in self.options if o.correct)

    @property
    def n(self):
        return len(self.options)


def _rng(seed, ident):
    return random.Random(f"{seed}:{ident}")


def make_item(q, seed=SEED):
    """An `Item` from one question dict as read from YAML, or None if it cannot be audited
    (unknown kind, no choices or no key).

    Options are named by their `key:` when present, else a, b, c ... in file order.
    """
    choices = [c for c in q.get("choices") or [] if isinstance(c, dict)]
    if q.get("kind") not in ("single", "multiple") or not any(c.get("correct") for c in choices):
        return None
    stem = str(q.get("stem") or "")
    stem_words = _content_words(stem)
    texts = [" ".join(str(c.get("text") or "").split()) for c in choices]
    words = [_content_words(t) for t in texts]
    options = []
    for i, (c, text, w) in enumerate(zip(choices, texts, words, strict=True)):
        others = [words[j] for j in range(len(words)) if j != i]
        tokens = _tokens(text)
        options.append(
            Option(
                key=str(c.get("key") or chr(ord("a") + i)),
                text=text,
                correct=bool(c.get("correct")),
                chars=len(text),
                justification=justification_clauses(text),
                absolutes=absolute_words(text),
                negations=sum(1 for t in tokens if t in NEGATIONS or t.endswith("n't")),
                hedges=sum(1 for t in tokens if t in HEDGES),
                specifics=sum(1 for t in text.split() if TECH.search(t)),
                stem_overlap=len(w & stem_words) / len(w) if w else 0.0,
                convergence=sum(_jaccard(w, o) for o in others) / len(others) if others else 0.0,
                tiebreak=_rng(
                    seed, f"{q.get('id')}:{i if texts.count(text) > 1 else text}"
                ).random(),
            )
        )
    constraints = q.get("constraints")
    verified = q.get("verified")
    return Item(
        id=str(q.get("id")),
        domain=q.get("domain"),
        task=str(q.get("task")),
        kind=str(q.get("kind")),
        difficulty=q.get("difficulty"),
        stem_words=len(stem.split()),
        constraints=tuple(str(c) for c in constraints) if isinstance(constraints, list) else (),
        verified=str(verified) if verified else None,
        options=tuple(options),
    )


# --- cues: each maps a pool of options to one score per option (higher = "looks like the key")


def _length_ranks(pool):
    """Rank 1 = longest; equal lengths ordered by the seeded tiebreak."""
    order = sorted(range(len(pool)), key=lambda i: (-pool[i].chars, pool[i].tiebreak))
    ranks = [0] * len(pool)
    for rank, i in enumerate(order, start=1):
        ranks[i] = rank
    return ranks


def _longest(pool):
    return [-r for r in _length_ranks(pool)]


def _second_longest(pool):
    # Preference: 2nd, then 1st, then 3rd, 4th ... (for "Choose TWO": 2nd and longest).
    return [-abs(r - 2) - (0.5 if r > 2 else 0) for r in _length_ranks(pool)]


def _shortest(pool):
    return _length_ranks(pool)


CUES = {
    "longest": ("the longest option", _longest),
    "second-longest": ("the second-longest option", _second_longest),
    "shortest": ("the shortest option", _shortest),
    "no-justification": (
        "an option without a justification clause",
        lambda pool: [-len(o.justification) for o in pool],
    ),
    "fewest-absolutes": (
        "the option with the fewest absolute words",
        lambda pool: [-len(o.absolutes) for o in pool],
    ),
    "fewest-negations": (
        "the option with the fewest negations (not, no, without ...)",
        lambda pool: [-o.negations for o in pool],
    ),
    "most-hedged": (
        "the option with the most qualifiers (usually, can, may ...)",
        lambda pool: [o.hedges for o in pool],
    ),
    "most-specific": (
        "the option with the most technical tokens (numbers, CamelCase, code)",
        lambda pool: [o.specifics for o in pool],
    ),
    "stem-echo": (
        "the option whose words most echo the stem",
        lambda pool: [o.stem_overlap for o in pool],
    ),
    "least-stem-echo": (
        "the option whose words least echo the stem",
        lambda pool: [-o.stem_overlap for o in pool],
    ),
    "convergence": (
        "the option sharing most words with the other options",
        lambda pool: [o.convergence for o in pool],
    ),
    "odd-one-out": (
        "the option sharing fewest words with the other options",
        lambda pool: [-o.convergence for o in pool],
    ),
}


def _ranked(pool, cue):
    scores = CUES[cue][1](pool)
    return [
        o for _, o in sorted(zip(scores, pool, strict=True), key=lambda s: (-s[0], s[1].tiebreak))
    ]


def _filtered(options, cue):
    """Drop the options `cue` rates worst (unless it rates all alike); return (kept, dropped)."""
    scores = CUES[cue][1](list(options))
    low = min(scores)
    if low == max(scores):
        return list(options), []
    kept = [o for o, s in zip(options, scores, strict=True) if s > low]
    dropped = [o for o, s in zip(options, scores, strict=True) if s == low]
    return kept, dropped


def picks(item, strategy):
    """The options `strategy` (a cue name, or (filter cue, pick cue)) picks: item.k of them."""
    if isinstance(strategy, str):
        return _ranked(list(item.options), strategy)[: item.k]
    first, then = strategy
    kept, dropped = _filtered(item.options, first)
    chosen = _ranked(kept, then)[: item.k]
    if len(chosen) < item.k:
        chosen += _ranked(dropped, then)[: item.k - len(chosen)]
    return chosen


def strategy_name(strategy):
    return strategy if isinstance(strategy, str) else f"{strategy[0]} > {strategy[1]}"


def strategies():
    """Every single cue, then every ordered pair of two different cues (filter, then pick)."""
    return list(CUES) + list(permutations(CUES, 2))


# --- statistics


def wilson(successes, n, z=1.959964):
    """95 % Wilson score interval for a proportion, in percent; (None, None) when n == 0."""
    if n == 0:
        return None, None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return round(100 * max(0.0, centre - half), 1), round(100 * min(1.0, centre + half), 1)


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Score:
    """A strategy on a set of questions of one kind. Percentages; None when there are none."""

    questions: int
    hits: int  # single: questions right; multiple: picks that are keys
    trials: int  # single: questions; multiple: picks
    score: float | None
    chance: float | None
    edge: float | None  # score - chance, in points
    low: float | None
    high: float | None
    right: list = field(default_factory=list)  # ids answered fully right


def score(items, strategy):
    """Score `strategy` on `items` (all of one kind)."""
    hits = trials = 0
    expected = 0.0
    right = []
    for item in items:
        chosen = picks(item, strategy)
        got = sum(1 for o in chosen if o.correct)
        if item.kind == "single":
            hits += got == item.k
            trials += 1
            expected += 1 / item.n
        else:
            hits += got
            trials += item.k
            expected += item.k * item.k / item.n
        if got == item.k:
            right.append(item.id)
    value, chance = _pct(hits, trials), _pct(expected, trials)
    low, high = wilson(hits, trials)
    return Score(
        questions=len(items),
        hits=hits,
        trials=trials,
        score=value,
        chance=chance,
        edge=round(value - chance, 1) if trials else None,
        low=low,
        high=high,
        right=right,
    )


def _per_item(items, strategy):
    """[(hits, trials, expected)] of `strategy` on each item, for fast scoring of subsets."""
    out = []
    for item in items:
        got = sum(1 for o in picks(item, strategy) if o.correct)
        if item.kind == "single":
            out.append((int(got == item.k), 1, 1 / item.n))
        else:
            out.append((got, item.k, item.k * item.k / item.n))
    return out


def _held_out(group, seed):
    """The search-then-test figure for one kind of question, averaged over SPLITS splits.

    For each of SPLITS seeded random halves, the best strategy is chosen on one half and scored
    on the other, so the search never flatters the figure; pooling the held-out halves of many
    splits removes most of the luck of a single split (repeated random sub-sampling
    validation). Returns None when the group is too small to split.
    """
    if len(group) < 2:
        return None
    table = {strategy_name(s): (s, _per_item(group, s)) for s in strategies()}
    index = {item.id: n for n, item in enumerate(group)}
    chosen = Counter()
    pooled = [0, 0, 0.0]
    for split in range(SPLITS):
        search_ids, held_ids = split_halves(group, f"{seed}:{split}" if split else seed)
        search = [index[i] for i in search_ids]
        held = [index[i] for i in held_ids]

        def edge(rows, members):
            hits = sum(rows[m][0] for m in members)
            trials = sum(rows[m][1] for m in members)
            expected = sum(rows[m][2] for m in members)
            return (hits - expected) / trials if trials else 0.0

        best = min(table, key=lambda name: (-edge(table[name][1], search), name))
        chosen[best] += 1
        rows = table[best][1]
        pooled[0] += sum(rows[m][0] for m in held)
        pooled[1] += sum(rows[m][1] for m in held)
        pooled[2] += sum(rows[m][2] for m in held)
    name = chosen.most_common(1)[0][0]
    strategy = table[name][0]
    hits, trials = pooled[0] / SPLITS, pooled[1] / SPLITS
    value, chance = _pct(hits, trials), _pct(pooled[2] / SPLITS, trials)
    low, high = wilson(hits, trials)
    held_score = Score(
        questions=len(group) // 2,
        hits=round(hits, 1),
        trials=round(trials, 1),
        score=value,
        chance=chance,
        edge=round(value - chance, 1) if trials else None,
        low=low,
        high=high,
        right=score(group, strategy).right,
    )
    return {
        "strategy": name,
        "description": _describe(strategy),
        "splits": SPLITS,
        "chosen": dict(chosen.most_common(5)),
        "held_out": held_score,
        "whole": score(group, strategy),
    }


def split_halves(items, seed=SEED):
    """A seeded random half of the items (stratified by kind) and the other half, as id sets."""
    search, held = set(), set()
    for kind in sorted({i.kind for i in items}):
        ids = sorted(i.id for i in items if i.kind == kind)
        random.Random(f"{seed}:split:{kind}").shuffle(ids)
        middle = (len(ids) + 1) // 2
        search.update(ids[:middle])
        held.update(ids[middle:])
    return search, held


# --- the audit


@dataclass
class Failure:
    check: str
    message: str
    ids: list


@dataclass
class Audit:
    source: str
    seed: int
    domains: list
    depth_checked: bool
    questions: int
    skipped: list
    counts: dict
    heuristics: list  # one row per strategy: name, description, single Score, multiple Score
    held_out: dict  # per kind: best strategy on the search half and its held-out Score
    length_ranks: list
    cues: dict  # justification / absolutes: keys vs distractors
    depth: dict
    exposed: list  # the 20 questions most strategies answer right
    items: list  # per question: where its key sits, which options carry cues, exposure
    thresholds: dict
    checks: list  # every threshold: what was measured, the limit, judged or only reported, passed
    failures: list

    @property
    def passed(self):
        return not self.failures

    def as_dict(self):
        return asdict(self)


def load_questions(path):
    """Questions (dicts) and read problems from a bank folder (as `read_bank`) or one YAML file."""
    root = Path(path)
    if root.is_file():
        try:
            data = yaml.load(root.read_text(encoding="utf-8"), Loader=LineLoader)
        except yaml.YAMLError as exc:
            return [], [f"{root}: YAML syntax error: {exc}"]
        if not isinstance(data, list):
            return [], [f"{root}: the file must hold a YAML list"]
        return [q for q in data if isinstance(q, dict)], []
    bank = read_bank(root)
    return bank.questions, [str(p) for p in bank.problems]


def _describe(strategy):
    if isinstance(strategy, str):
        return f"pick {CUES[strategy][0]}"
    first, then = strategy
    return f"keep what '{first}' does not rate worst, then pick {CUES[then][0]}"


def _counts(items):
    def count(values):
        return {str(k): v for k, v in sorted(Counter(values).items(), key=lambda kv: str(kv[0]))}

    return {
        "domain": count(i.domain for i in items),
        "task": count(i.task for i in items),
        "kind": count(i.kind for i in items),
        "difficulty": count(i.difficulty for i in items),
        "verified": sum(1 for i in items if i.verified),
    }


def _length_ranks_report(items):
    groups = defaultdict(list)
    for item in items:
        groups[item.n].append(item)
    rows = []
    for n, group in sorted(groups.items()):
        at_rank = Counter()
        ids = defaultdict(list)
        keys = 0
        for item in group:
            for option, rank in zip(item.options, _length_ranks(list(item.options)), strict=True):
                if option.correct:
                    at_rank[rank] += 1
                    ids[rank].append(item.id)
                    keys += 1
        chance = round(100 / n, 1)
        ranks = []
        for rank in range(1, n + 1):
            share = _pct(at_rank[rank], keys)
            ranks.append(
                {
                    "rank": rank,
                    "keys": at_rank[rank],
                    "share": share,
                    "edge": round(share - chance, 1),
                    "ids": ids[rank],
                }
            )
        rows.append(
            {
                "options": n,
                "questions": len(group),
                "keys": keys,
                "chance": chance,
                "checked": len(group) >= MIN_QUESTIONS_FOR_RANK_CHECK,
                "ranks": ranks,
            }
        )
    return rows


def _cue_report(items, attribute):
    keys = [(i, o) for i in items for o in i.options if o.correct]
    wrong = [(i, o) for i in items for o in i.options if not o.correct]
    key_share = _pct(sum(1 for _, o in keys if getattr(o, attribute)), len(keys))
    wrong_share = _pct(sum(1 for _, o in wrong if getattr(o, attribute)), len(wrong))
    gap = round(wrong_share - key_share, 1) if keys and wrong else None
    side = wrong if (gap or 0) >= 0 else keys
    ids = list(dict.fromkeys(i.id for i, o in side if getattr(o, attribute)))
    found = Counter()
    for _, o in keys + wrong:
        found.update(set(getattr(o, attribute)))
    return {
        "keys": key_share,
        "distractors": wrong_share,
        "gap": gap,
        "ids": ids,
        "found": dict(found.most_common()),
    }


def _depth(items):
    words = [i.stem_words for i in items]
    return {
        "median_stem_words": statistics.median(words) if words else None,
        "long_stem_share": _pct(sum(1 for w in words if w >= LONG_STEM_WORDS), len(words)),
        "constraints_share": _pct(
            sum(1 for i in items if len(i.constraints) >= MIN_CONSTRAINTS), len(items)
        ),
        "short_ids": [
            i.id
            for i in sorted(items, key=lambda i: i.stem_words)
            if i.stem_words < LONG_STEM_WORDS
        ],
        "unconstrained_ids": [i.id for i in items if len(i.constraints) < MIN_CONSTRAINTS],
    }


THRESHOLDS = {
    "max_edge_single": MAX_EDGE_SINGLE,
    "max_edge_multiple": MAX_EDGE_MULTIPLE,
    "max_length_rank_edge": MAX_LENGTH_RANK_EDGE,
    "min_questions_for_rank_check": MIN_QUESTIONS_FOR_RANK_CHECK,
    "max_cue_gap": MAX_CUE_GAP,
    "min_median_stem_words": MIN_MEDIAN_STEM_WORDS,
    "long_stem_words": LONG_STEM_WORDS,
    "min_long_stem_share": MIN_LONG_STEM_SHARE,
    "min_constraints": MIN_CONSTRAINTS,
}


def audit(questions, *, source="", domains=None, depth=None, seed=SEED):
    """Audit question dicts (as read from YAML). Returns an `Audit`.

    `domains`: audit only these domain numbers (None = all). Retired questions are left out.
    `depth`: apply the depth thresholds (stem length, constraints) too; None means "when every
    audited domain is in REWRITTEN_DOMAINS". Surface thresholds always apply.
    """
    items, skipped = [], []
    for q in questions:
        if q.get("status") == "retired":
            continue
        if domains and q.get("domain") not in domains:
            continue
        item = make_item(q, seed)
        if item is None:
            skipped.append(str(q.get("id")))
        else:
            items.append(item)
    present = sorted({i.domain for i in items if i.domain is not None})
    if depth is None:
        depth = bool(present) and set(present) <= set(REWRITTEN_DOMAINS)
    by_kind = {kind: [i for i in items if i.kind == kind] for kind in ("single", "multiple")}

    rows = []
    for strategy in strategies():
        rows.append(
            {
                "name": strategy_name(strategy),
                "description": _describe(strategy),
                "single": score(by_kind["single"], strategy),
                "multiple": score(by_kind["multiple"], strategy),
            }
        )

    held_out = {kind: _held_out(group, seed) for kind, group in by_kind.items()}

    right = Counter()
    for row in rows:
        for kind in ("single", "multiple"):
            right.update(row[kind].right)
    exposed = [
        {"id": ident, "strategies_right": n, "share": _pct(n, len(rows))}
        for ident, n in sorted(right.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    ]
    per_item = [_item_report(item, _pct(right[item.id], len(rows))) for item in items]

    result = Audit(
        source=str(source),
        seed=seed,
        domains=present,
        depth_checked=depth,
        questions=len(items),
        skipped=skipped,
        counts=_counts(items),
        heuristics=rows,
        held_out=held_out,
        length_ranks=_length_ranks_report(items),
        cues={
            "justification": _cue_report(items, "justification"),
            "absolutes": _cue_report(items, "absolutes"),
        },
        depth=_depth(items),
        exposed=exposed,
        items=per_item,
        thresholds=dict(THRESHOLDS),
        checks=[],
        failures=[],
    )
    result.checks = checks(result)
    result.failures = judge(result)
    return result


def checks(result):
    """One row per threshold: {check, value, limit, judged, passed} (value None: nothing to
    measure). `judged` is False for depth when the selection is not a rewritten one, and for an
    option count with too few questions; such rows are reported, never failed."""
    rows = []

    def row(check, value, limit, ok, judged=True):
        rows.append(
            {
                "check": check,
                "value": value,
                "limit": limit,
                "judged": judged and value is not None,
                "passed": None if value is None else ok(value),
            }
        )

    for kind, limit in (("single", MAX_EDGE_SINGLE), ("multiple", MAX_EDGE_MULTIPLE)):
        best = result.held_out.get(kind)
        edge = best["held_out"].edge if best else None
        row(
            f"best {kind}-response strategy, held-out, points over chance",
            edge,
            f"<= +{limit:g}",
            lambda v, limit=limit: v <= limit,
        )
    for group in result.length_ranks:
        worst = max(rank["edge"] for rank in group["ranks"])
        row(
            f"{group['options']} options: most over-represented length rank, points over 1/n",
            worst,
            f"<= +{MAX_LENGTH_RANK_EDGE:g}",
            lambda v: v <= MAX_LENGTH_RANK_EDGE,
            group["checked"],
        )
    for cue, label in (("justification", "justification clauses"), ("absolutes", "absolute words")):
        row(
            f"{label}: distractors minus keys, points",
            result.cues[cue]["gap"],
            f"within ±{MAX_CUE_GAP:g}",
            lambda v: abs(v) <= MAX_CUE_GAP,
        )
    depth, judged = result.depth, result.depth_checked
    row(
        "median stem, words",
        depth["median_stem_words"],
        f">= {MIN_MEDIAN_STEM_WORDS}",
        lambda v: v >= MIN_MEDIAN_STEM_WORDS,
        judged,
    )
    row(
        f"stems >= {LONG_STEM_WORDS} words, %",
        depth["long_stem_share"],
        f">= {MIN_LONG_STEM_SHARE:g}",
        lambda v: v >= MIN_LONG_STEM_SHARE,
        judged,
    )
    row(
        f"questions with >= {MIN_CONSTRAINTS} constraints, %",
        depth["constraints_share"],
        "100",
        lambda v: v >= 100,
        judged,
    )
    return rows


def _item_report(item, exposure):
    ranks = _length_ranks(list(item.options))
    return {
        "id": item.id,
        "domain": item.domain,
        "task": item.task,
        "kind": item.kind,
        "difficulty": item.difficulty,
        "options": item.n,
        "stem_words": item.stem_words,
        "constraints": len(item.constraints),
        "verified": item.verified,
        "key_length_ranks": sorted(
            r for o, r in zip(item.options, ranks, strict=True) if o.correct
        ),
        "justification": {o.key: list(o.justification) for o in item.options if o.justification},
        "absolutes": {o.key: list(o.absolutes) for o in item.options if o.absolutes},
        "exposure": exposure,
    }


def judge(result):
    """The thresholds `result` misses, each with the ids an author should start with: the
    questions most strategies answer right come first."""
    exposure = {i["id"]: i["exposure"] or 0 for i in result.items}

    def worst_first(ids):
        return sorted(ids, key=lambda ident: -exposure.get(ident, 0))

    failures = []
    for kind, limit in (("single", MAX_EDGE_SINGLE), ("multiple", MAX_EDGE_MULTIPLE)):
        best = result.held_out.get(kind)
        if best and best["held_out"].edge is not None and best["held_out"].edge > limit:
            held = best["held_out"]
            failures.append(
                Failure(
                    f"heuristic-{kind}",
                    f"{kind}-response: '{best['strategy']}' ({best['description']}) scores "
                    f"{held.score} % on the held-out half, chance {held.chance} % "
                    f"(+{held.edge} points > +{limit:g}); it answers these right",
                    worst_first(best["whole"].right),
                )
            )
    for group in result.length_ranks:
        if not group["checked"]:
            continue
        for rank in group["ranks"]:
            if rank["edge"] > MAX_LENGTH_RANK_EDGE:
                failures.append(
                    Failure(
                        f"length-rank-{group['options']}-{rank['rank']}",
                        f"{group['options']} options: the key is length rank {rank['rank']} "
                        f"(1 = longest) {rank['share']} % of the time, chance {group['chance']} % "
                        f"(+{rank['edge']} points > +{MAX_LENGTH_RANK_EDGE:g})",
                        worst_first(rank["ids"]),
                    )
                )
    for cue, label in (("justification", "justification clauses"), ("absolutes", "absolute words")):
        report = result.cues[cue]
        if report["gap"] is not None and abs(report["gap"]) > MAX_CUE_GAP:
            side = "distractors" if report["gap"] > 0 else "keys"
            failures.append(
                Failure(
                    cue,
                    f"{label}: {report['distractors']} % of distractors vs {report['keys']} % of "
                    f"keys (gap {report['gap']:+} points, limit ±{MAX_CUE_GAP:g}); {side} with "
                    "them are in",
                    worst_first(report["ids"]),
                )
            )
    if result.depth_checked and result.questions:
        depth = result.depth
        if depth["median_stem_words"] < MIN_MEDIAN_STEM_WORDS:
            failures.append(
                Failure(
                    "stem-median",
                    f"median stem {depth['median_stem_words']} words < {MIN_MEDIAN_STEM_WORDS}; "
                    "shortest stems first",
                    depth["short_ids"],
                )
            )
        if depth["long_stem_share"] < MIN_LONG_STEM_SHARE:
            failures.append(
                Failure(
                    "stem-long-share",
                    f"{depth['long_stem_share']} % of stems have >= {LONG_STEM_WORDS} words "
                    f"< {MIN_LONG_STEM_SHARE:g} %; shortest stems first",
                    depth["short_ids"],
                )
            )
        if depth["unconstrained_ids"]:
            failures.append(
                Failure(
                    "constraints",
                    f"{len(depth['unconstrained_ids'])} question(s) name fewer than "
                    f"{MIN_CONSTRAINTS} deciding constraints in `constraints:`",
                    depth["unconstrained_ids"],
                )
            )
    return failures
