"""Equated scaled scores and IRT readiness.

The model, in a few lines:
- An item calibrated by the nightly fit (`progress.models.ItemCalibration`, model 2PL or Rasch)
  is right with probability P(θ) = 1 / (1 + exp(-a (θ - b))) for a learner of ability θ (logits,
  on the base scale: the first calibration's learners are N(0, 1), and every later fit is
  linked to it through the items both fitted; progress.calibration, "Linking").
- A finished mock's ability is the EAP estimate (the posterior mean, with its SD) from the
  learner's answers to the calibrated scored items of that form, with a N(0, 1) prior, on a
  fixed quadrature grid (Bock & Mislevy 1982, "Adaptive EAP estimation of ability in a
  microcomputer environment", Applied Psychological Measurement 6(4)). Unanswered counts as
  wrong, as the score does; pilot items and items a regrade dropped count nowhere.
- The **reference form** is the bank's average item: every live question version (published,
  the question's current version) with a fitted calibration (model 2PL or Rasch; author-tag
  priors don't count), frozen with its a and b as a numbered `ReferenceFormVersion`. Its
  expected share correct at θ is the mean of P(θ) over those items. New mocks are scored by
  the current (latest) version and record its number; a regrade re-equates a mock with the
  version that scored it. Version 1 is taken the first time the bank can carry one (65 fitted
  live versions) and a mock or a forecast needs it; later versions only when an author asks
  (`manage.py new_reference_form`, e.g. after a blueprint change), never by the nightly fit, so
  publishing pilots, retiring questions or a recalibration does not move where 750 sits.
- The equated score of an ability is the linear estimate (`progress.readiness.to_scaled`,
  100 + 900 × share; 750 at 72.2 %) of the share that ability expects on the reference form (its
  true score, as in IRT true-score equating: Lord 1980, *Applications of Item Response Theory to
  Practical Testing Problems*, ch. 13). So a learner who would get 72.2 % on a mock of average
  difficulty scores 750 on any form, easy or hard; nothing about the scale is chosen beyond the
  linear estimate it replaces.
- A form counts as calibrated when at least 90 % of its scored items are (FORM_CALIBRATED_SHARE);
  otherwise the mock is scored by the linear estimate, and the results page says so.
- Readiness (`forecast`) reads the learner's ability posterior through the same mapping: the
  next mock's EAP at true ability θ is about N(kθ, k²/I) with I the information of a random form
  at θ (form length × the reference form's mean item information) and k = I / (1 + I), the
  shrinkage of a N(0, 1) prior; mixed over the posterior it gives the probability of ≥ 750, the
  median and an 80 % interval of the next equated score.

The first part of this module is pure (sequences in, numbers out); the functions at the end read
the database (noted in their docstrings).
"""

import functools
import math
from dataclasses import dataclass

from domains import blueprint

from .readiness import MIN_ANSWERS, Z80, normal_cdf, to_scaled

# The quadrature grid: θ from -6 to 6 logits in steps of 0.2. A posterior on 65+ answers has an
# SD near 0.3, over which a 0.2 step sums a smooth density to well under 0.01 logits.
GRID = tuple(-6 + 0.2 * i for i in range(61))
_LOG_PRIOR = tuple(-0.5 * t * t for t in GRID)  # N(0, 1), up to a constant
FORM_CALIBRATED_SHARE = 0.9
FITTED_MODELS = ("2pl", "rasch")
LINEAR, EQUATED = "linear", "equated"
# The share correct that rounds to 750 or more on the linear estimate.
PASS_SHARE = (blueprint.PASSING_SCALED_SCORE - 0.5 - blueprint.MIN_SCALED_SCORE) / (
    blueprint.MAX_SCALED_SCORE - blueprint.MIN_SCALED_SCORE
)


def p_right(theta, a, b):
    """P(right) of a 2PL item (a per logit, b in logits) at ability `theta` (logits)."""
    z = a * (theta - b)
    if z < -35:
        return math.exp(z)
    return 1.0 / (1.0 + math.exp(-z))


@functools.lru_cache(maxsize=8192)
def _log_likelihood_rows(a, b):
    """(log P, log(1 - P)) of item (a, b) at each GRID point, written to stay finite for any
    a(θ - b). Cached: a bank has a few hundred items and every estimate reuses them."""
    right, wrong = [], []
    for theta in GRID:
        z = a * (theta - b)
        log_p = -(math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z)) - z)
        right.append(log_p)
        wrong.append(log_p - z)
    return tuple(right), tuple(wrong)


def ability_posterior(correct, a, b):
    """The posterior of θ on GRID from answers `correct` (bools) to items with discriminations
    `a` and difficulties `b` (same length), N(0, 1) prior: a tuple of weights summing to 1.
    Raises ValueError on sequences of different lengths."""
    if not len(correct) == len(a) == len(b):
        raise ValueError("correct, a and b must have the same length")
    rows = [
        _log_likelihood_rows(float(ai), float(bi))[0 if right else 1]
        for right, ai, bi in zip(correct, a, b, strict=True)
    ]
    log_post = list(map(sum, zip(_LOG_PRIOR, *rows, strict=True)))
    top = max(log_post)
    weights = [math.exp(v - top) for v in log_post]
    total = sum(weights)
    return tuple(w / total for w in weights)


def posterior_mean_sd(weights):
    """(mean, SD) in logits of a posterior given as weights on GRID."""
    mean = sum(w * t for w, t in zip(weights, GRID, strict=True))
    var = sum(w * (t - mean) ** 2 for w, t in zip(weights, GRID, strict=True))
    return mean, math.sqrt(var)


def ability_eap(correct, a, b):
    """EAP ability and posterior SD (logits) from answers `correct` to items (a, b), N(0, 1)
    prior: `progress.calibration.ability_eap` (61-point Gauss-Hermite), the one estimator that
    scores mocks and is checked by the recovery test. Readiness needs the whole posterior
    (`ability_posterior`, on GRID); the two agree to well under a hundredth of a logit."""
    from .calibration import ability_eap as eap  # calibration imports the models, which import us

    return eap(correct, a, b)


@dataclass(frozen=True)
class ReferenceForm:
    """Items (a, b) whose mean P(θ) defines the equated scale; see the module docstring.
    `version`: the stored ReferenceFormVersion's number (None for a form built in memory)."""

    a: tuple
    b: tuple
    version: int | None = None

    def __post_init__(self):
        if not self.a or len(self.a) != len(self.b):
            raise ValueError("a reference form needs items, with as many a as b")
        # Readiness asks for the information at every grid point, once per learner.
        object.__setattr__(self, "_grid_information", tuple(map(self.information, GRID)))
        object.__setattr__(self, "_cut_ability", self._find_cut_ability())

    def expected_share(self, theta):
        """Expected share correct (0-1) at ability `theta` (logits)."""
        return sum(p_right(theta, a, b) for a, b in zip(self.a, self.b, strict=True)) / len(self.a)

    def information(self, theta):
        """Mean Fisher information of one item at `theta`: a² P (1 - P), per item."""
        total = 0.0
        for a, b in zip(self.a, self.b, strict=True):
            p = p_right(theta, a, b)
            total += a * a * p * (1 - p)
        return total / len(self.a)

    @property
    def grid_information(self):
        """`information` at each GRID point."""
        return self._grid_information

    def scaled(self, theta):
        """The equated scaled score (100-1000) of ability `theta`."""
        return to_scaled(self.expected_share(theta), 1)

    def cut_ability(self):
        """The ability (logits) whose equated score is the pass mark (750)."""
        return self._cut_ability

    def _find_cut_ability(self):
        # Bisection on the expected share, which rises with θ.
        low, high = GRID[0], GRID[-1]
        for _ in range(50):
            mid = (low + high) / 2
            if self.expected_share(mid) < PASS_SHARE:
                low = mid
            else:
                high = mid
        return high


@dataclass(frozen=True)
class Equated:
    scaled_score: int
    ability: float
    ability_sd: float
    items: int

    @property
    def passed(self):
        return self.scaled_score >= blueprint.PASSING_SCALED_SCORE


def equate(correct, a, b, reference):
    """The equated score of answers `correct` to calibrated items (a, b), through `reference`
    (a ReferenceForm): Equated(scaled_score, ability, ability_sd, items)."""
    theta, sd = ability_eap(correct, a, b)
    return Equated(reference.scaled(theta), theta, sd, len(correct))


def form_is_calibrated(calibrated, scored):
    """True when `calibrated` of the `scored` items of a form (counts) reach the share needed
    to score it by ability (FORM_CALIBRATED_SHARE of them, and at least one)."""
    return scored > 0 and calibrated >= FORM_CALIBRATED_SHARE * scored


def forecast(weights, reference, form_length=blueprint.QUESTIONS_PER_EXAM):
    """Predict the next mock's equated score from an ability posterior (`weights` on GRID) for a
    random form of `form_length` scored items drawn from `reference` (see the module docstring).

    Returns {predicted_score (median), low, high (10th and 90th percentiles), pass_probability
    (0-1), ability, ability_sd}. Costs about 60 × len(reference) logistic evaluations.
    """
    cut = reference.cut_ability()
    parts = []  # (weight, mean, sd) of the next EAP, per grid point
    for j, (w, theta) in enumerate(zip(weights, GRID, strict=True)):
        if w < 1e-9:
            continue
        info = form_length * reference.grid_information[j]
        k = info / (1 + info)
        parts.append((w, k * theta, max(math.sqrt(info) / (1 + info), 1e-6)))
    total = sum(w for w, _, _ in parts)

    def cdf(x):
        return sum(w * normal_cdf((x - m) / s) for w, m, s in parts) / total

    def quantile(q):
        low, high = GRID[0], GRID[-1]
        for _ in range(24):
            mid = (low + high) / 2
            low, high = (mid, high) if cdf(mid) < q else (low, mid)
        return (low + high) / 2

    tail = normal_cdf(-Z80)
    theta, sd = posterior_mean_sd(weights)
    return {
        "predicted_score": reference.scaled(quantile(0.5)),
        "low": reference.scaled(quantile(tail)),
        "high": reference.scaled(quantile(1 - tail)),
        "pass_probability": round(1 - cdf(cut), 4),
        "ability": round(theta, 3),
        "ability_sd": round(sd, 3),
    }


# From the database -------------------------------------------------------------------------

MIN_REFERENCE_ITEMS = blueprint.SCORED_ON_REAL_EXAM
READINESS_WINDOW_DAYS = 90


class ReferenceFormError(ValueError):
    """A reference form version cannot be made now (too few fitted live versions)."""


def live_reference_items():
    """[(version id, a, b)] of every live version with a fitted calibration, by version id:
    what a new reference form version is made of. One query (~550 rows)."""
    from questions.models import Question

    from .models import ItemCalibration

    return list(
        ItemCalibration.objects.filter(
            model__in=FITTED_MODELS,
            version_id__in=Question.objects.live().values("current_version_id"),
        )
        .order_by("version_id")
        .values_list("version_id", "discrimination", "difficulty")
    )


def new_reference_version(user=None, note="", now=None, items=None, number=None):
    """Freeze the live bank's calibrated items as the next ReferenceFormVersion (or as version
    `number`: IntegrityError if it exists) and return it.

    `items` ([(version id, a, b)], default `live_reference_items()`). Raises ReferenceFormError
    below MIN_REFERENCE_ITEMS (65) items. Three queries and the insert; ~45 ms to find the cut
    ability of 550 items.
    """
    from django.utils import timezone

    from .models import CalibrationRun, ReferenceFormVersion

    items = live_reference_items() if items is None else items
    if len(items) < MIN_REFERENCE_ITEMS:
        raise ReferenceFormError(
            f"{len(items)} live questions have a fitted calibration; a reference form needs "
            f"{MIN_REFERENCE_ITEMS}"
        )
    form = _reference_form(tuple(a for _, a, _ in items), tuple(b for _, _, b in items), None)
    return ReferenceFormVersion.create_next(
        items,
        form.cut_ability(),
        number=number,
        created_by=user,
        note=note,
        created_at=now or timezone.now(),
        calibration_run=CalibrationRun.objects.order_by("-fitted_at", "-id").first(),
    )


def reference_form(version=None):
    """The ReferenceForm of stored version number `version`, by default the current one, or None
    while there is none and the bank cannot carry one (fewer than MIN_REFERENCE_ITEMS fitted
    live versions). With no version stored yet, version 1 is made from the live bank here (the
    first calibrated mock or forecast asks for it). One query (a handful the first time);
    building the form costs ~45 ms for 550 items, so the last few are kept."""
    from django.db import IntegrityError, transaction

    from .models import ReferenceFormVersion

    if version is not None:
        stored = ReferenceFormVersion.objects.get(number=version)
    else:
        stored = ReferenceFormVersion.objects.current()
    if stored is None:
        items = live_reference_items()
        if len(items) < MIN_REFERENCE_ITEMS:
            return None
        try:
            with transaction.atomic():
                # Version 1 exactly: a request that waited for another's (SQLite) must not
                # make a version 2 of the same bank.
                stored = new_reference_version(
                    note="First version (automatic)", items=items, number=1
                )
        except IntegrityError:  # another process made version 1 first: use theirs
            stored = ReferenceFormVersion.objects.current()
    return _reference_form(stored.discrimination, stored.difficulty, stored.number)


@functools.lru_cache(maxsize=4)
def _reference_form(a, b, version):
    # A stored version never changes; the same parameters give the same form.
    return ReferenceForm(a, b, version)


def score_form(items, reference=None):
    """How a finished mock is scored, from its graded `items` (SittingItems; `is_correct` None
    means not scored; pilots are skipped): by ability when the form is calibrated and the bank
    has a reference form (`reference`, default the current version), else by the linear
    estimate.

    Returns {scoring_method ("equated" or "linear"), scaled_score and passed (equated only),
    ability and ability_sd (logits, None when linear), calibrated_items (count), linear_reason
    ("form": under 90 % of the form calibrated; "bank": no reference form yet; None when
    equated), reference_version (the number of the version that scored it; None when linear
    or for an in-memory form)}. Two queries (one when `reference` is given).
    """
    from .models import ItemCalibration

    scored = [i for i in items if i.is_correct is not None and not i.is_pilot]
    params = {
        version_id: (a, b)
        for version_id, a, b in ItemCalibration.objects.filter(
            version_id__in={i.version_id for i in scored}, model__in=FITTED_MODELS
        ).values_list("version_id", "discrimination", "difficulty")
    }
    calibrated = [i for i in scored if i.version_id in params]
    linear = {
        "scoring_method": LINEAR,
        "ability": None,
        "ability_sd": None,
        "calibrated_items": len(calibrated),
        "reference_version": None,
    }
    if not form_is_calibrated(len(calibrated), len(scored)):
        return {**linear, "linear_reason": "form"}
    reference = reference or reference_form()
    if reference is None:
        return {**linear, "linear_reason": "bank"}
    result = equate(
        [bool(i.is_correct) for i in calibrated],
        [params[i.version_id][0] for i in calibrated],
        [params[i.version_id][1] for i in calibrated],
        reference,
    )
    scaled = result.scaled_score
    # Every scored answer right (or none): the ability's likelihood rises (falls) without end,
    # so its expected share on any form is 1 (0). The EAP's N(0, 1) prior would otherwise hold
    # a perfect mock near 960 and a blank one near 140, where the linear estimate gives the ends.
    if all(i.is_correct for i in scored):
        scaled = blueprint.MAX_SCALED_SCORE
    elif not any(i.is_correct for i in scored):
        scaled = blueprint.MIN_SCALED_SCORE
    return {
        "scoring_method": EQUATED,
        "scaled_score": scaled,
        "passed": scaled >= blueprint.PASSING_SCALED_SCORE,
        "ability": result.ability,
        "ability_sd": result.ability_sd,
        "calibrated_items": result.items,
        "linear_reason": None,
        "reference_version": reference.version,
    }


def recent_mock_answers(user_ids, now=None):
    """{user id: (correct, a, b)}: each learner's scored answers (pilots, dropped and unscored
    items left out; unanswered is wrong) in mocks finished in the last 90 days to versions with
    a fitted calibration, the latest answer per question only. One query."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import SittingItem

    now = now or timezone.now()
    rows = (
        SittingItem.objects.filter(
            sitting__user_id__in=user_ids,
            sitting__mode="mock",
            sitting__status="finished",
            sitting__finished_at__gte=now - timedelta(days=READINESS_WINDOW_DAYS),
            is_pilot=False,
            scored=True,
            is_correct__isnull=False,
            version__calibration__model__in=FITTED_MODELS,
        )
        .order_by("sitting__user_id", "question_id", "-sitting__finished_at", "-id")
        .values_list(
            "sitting__user_id",
            "question_id",
            "is_correct",
            "version__calibration__discrimination",
            "version__calibration__difficulty",
        )
    )
    out, seen = {}, set()
    for user_id, question_id, right, a, b in rows:
        if (user_id, question_id) in seen:
            continue
        seen.add((user_id, question_id))
        correct, a_list, b_list = out.setdefault(user_id, ([], [], []))
        correct.append(bool(right))
        a_list.append(a)
        b_list.append(b)
    return out


def irt_readiness(user_ids, now=None, unanswered=None, reference=None):
    """{user id: readiness} by the IRT model for learners in `user_ids` with at least
    MIN_ANSWERS (30) answers in `recent_mock_answers`, while the bank has a reference form;
    other learners are absent (their readiness comes from domain mastery).

    Each readiness is `forecast`'s dict plus method "irt", answers (count) and unanswered_share
    (from `unanswered`, {user id: share}; shown, already in the ability since unanswered counts
    as wrong). The forecast is for the scored part of a mock: 75 less the pilots a mock now
    carries (up to 10). Three queries (two when `reference` is given).
    """
    from questions.models import Question

    answers = recent_mock_answers(user_ids, now)
    answers = {uid: rows for uid, rows in answers.items() if len(rows[0]) >= MIN_ANSWERS}
    if not answers:
        return {}
    reference = reference or reference_form()
    if reference is None:
        return {}
    unanswered = unanswered or {}
    pilots = min(blueprint.UNSCORED_ON_REAL_EXAM, Question.objects.pilots().count())
    scored = blueprint.QUESTIONS_PER_EXAM - pilots
    return {
        uid: {
            **forecast(ability_posterior(correct, a, b), reference, form_length=scored),
            "unanswered_share": round(unanswered.get(uid, 0.0), 4),
            "method": "irt",
            "answers": len(correct),
        }
        for uid, (correct, a, b) in answers.items()
    }
