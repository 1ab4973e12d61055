"""IRT calibration: the 2PL parameters of every live and pilot question version (nightly).

The model is the two-parameter logistic (Birnbaum 1968, in Lord & Novick, *Statistical
Theories of Mental Test Scores*): P(right | θ) = 1 / (1 + exp(-a (θ - b))), θ and b in logits.

Data: first-exposure answers only. An answer counts when it was given in a finished mock
(pilot items included) and it is the learner's first sitting item for that question in any
sitting: a practice answer (seen with feedback) and a repeat are left out, and so is every mock
answer to a question the learner had met before. Unanswered mock items count as wrong, as
scoring grades them; an item a regrade dropped (`is_correct` null) counts nowhere. Each finished
mock is one response pattern (a learner studies between mocks, so their ability moves).
Versions an author marked as the same item (`QuestionVersion.item_root`) are one column.

Estimation: marginal maximum likelihood with EM over a N(0, 1) ability distribution, by the
`mirt` package (observed-information "Oakes" standard errors; NaN marks an item a learner did
not see). Items with at least `MIN_2PL_RESPONSES` answers are fitted as 2PL, together; items
with `MIN_FIT_RESPONSES` up to that take their b from a Rasch fit (mirt's "1PL", a = 1) of every
fitted item, since a discrimination needs a hundred or more answers to mean anything; a bank
with fewer than two 2PL items is Rasch throughout. Items with fewer than `MIN_FIT_RESPONSES`
answers stay out of the fits (model "prior"). Two fits on mirt's native paths, rather than
one 2PL fit with the thin items' a held at 1, because holding parameters leaves the native path:
382 s instead of ~3 s on 2,000 learners × 300 items.

Priors: every item starts from its author's difficulty tag, b ~ N(PRIOR_DIFFICULTY[tag],
PRIOR_DIFFICULTY_SD²), and log a ~ N(0, PRIOR_LOG_DISCRIMINATION_SD²) (a around 1). After the
fit, each estimate moves from its prior by precision weighting (the normal posterior of a normal
prior and a normal likelihood, e.g. Gelman et al., *Bayesian Data Analysis*, 3rd ed., §2.5):

    b = (b_prior/σp² + b̂/se²) / (1/σp² + 1/se²),   SE(b) = (1/σp² + 1/se²)^(-1/2)

and the same on log a. A thin item therefore sits near its tag and moves toward the data as
answers come in; an item with hundreds of answers keeps its estimate. An estimate the fit could
not bound (all answers right or all wrong drive b to the optimiser's limit, with no finite SE)
carries no information and the prior stands.

Linking: each fit identifies its ability scale anew (its learners ~ N(0, 1)), so a more able
cohort would make every item look easier by the difference, and a score equated through the
items would drift with whoever answered lately. The first calibration therefore defines the
**base scale**, and every later fit is put on the scale of the calibration before it, hence on
the base scale: θ_base = A θ_fit + B, b_base = A b + B, a_base = a / A, SEs alike (Kolen &
Brennan, *Test Equating, Scaling, and Linking*, 3rd ed., ch. 6). The constants come from the
**anchors**: the items of this fit that the previous calibration also fitted, with at least
`MIN_ANCHOR_RESPONSES` answers in both runs and a bounded estimate in both. A 2PL bank is linked
by Stocking–Lord (Stocking & Lord 1983, Applied Psych. Meas. 7(2): the A and B that make the
anchors' test characteristic curves agree, weighted by N(0, 1); `mirt.equating.link`, from the
library that fits the model); a bank calibrated Rasch throughout by a shift alone (A = 1,
B = the anchors' mean difference in b: the Rasch model fixes the unit, a = 1). With fewer than
`MIN_ANCHORS` anchors the run is recorded as unlinked (A = 1, B = 0) rather than linked on a
handful of items. Linking uses the fit's own estimates (stored as `fit_difficulty`,
`fit_discrimination`), before the priors, which are then applied on the base scale: a
prior-shrunk b would pull the scale a little toward the tags every night. Thin items taken from
the Rasch fit of a 2PL bank get the same A and B on b and keep a = 1. Each run is recorded as a
`CalibrationRun` (A, B, anchor count, the anchors' mean |Δb| after linking).
"""

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from questions.models import Question, QuestionVersion

from .models import CalibrationRun, ItemCalibration, Sitting, SittingItem

# Author's difficulty tag (1 easier, 2 medium, 3 hard) -> prior difficulty b, in logits.
PRIOR_DIFFICULTY = {1: -1.0, 2: 0.0, 3: 1.0}
PRIOR_DIFFICULTY_SD = 1.0
# log a ~ N(0, 0.5²): a within 0.37..2.7 at two SD, the usual range of a working item.
PRIOR_LOG_DISCRIMINATION_SD = 0.5
# Below this many first-exposure answers an item keeps its prior (model "prior").
MIN_FIT_RESPONSES = 20
# From this many answers an item gets its own discrimination (2PL); below, a = 1 (Rasch).
MIN_2PL_RESPONSES = 100
# mirt's optimiser box (|b| <= 6, a <= 5): an estimate on it is unbounded by the data.
_B_LIMIT, _A_LIMIT = 5.99, 4.99
# An item anchors the linking when it has this many first-exposure answers in both runs
# (b's SE about 0.3 logits or less), and a run is linked on at least MIN_ANCHORS of them.
MIN_ANCHOR_RESPONSES = 50
MIN_ANCHORS = 10
# Gauss–Hermite rule for the N(0, 1) prior of `ability_eap` (probabilists' weight e^(-θ²/2)).
_EAP_NODES, _EAP_WEIGHTS = np.polynomial.hermite_e.hermegauss(61)


@dataclass(frozen=True)
class Linking:
    """How a fit was put on the base scale: θ_base = slope × θ_fit + intercept (logits).
    `method` is a CalibrationRun.Linking value; `anchor_drift` the anchors' mean |b − previous b|
    after linking (None without anchors)."""

    method: str
    slope: float = 1.0
    intercept: float = 0.0
    anchors: int = 0
    anchor_drift: float | None = None


@dataclass(frozen=True)
class PreviousFit:
    """The previous calibration's fit estimates (base scale, before priors) per item column:
    NaN where it had none; `responses` its answer counts."""

    discrimination: np.ndarray
    difficulty: np.ndarray
    responses: np.ndarray


@dataclass(frozen=True)
class ItemParameters:
    """Per-item results of `calibrate`, arrays of length n_items (SE None where a is fixed).
    `fit_discrimination`/`fit_difficulty` are the linked fit estimates before the priors (NaN
    where the item was not fitted or the fit could not bound it)."""

    discrimination: np.ndarray
    difficulty: np.ndarray
    discrimination_se: list
    difficulty_se: np.ndarray
    responses: np.ndarray
    model: list  # ItemCalibration.Model value per item
    fit_model: str | None  # "2pl" (some items 2PL), "rasch" (all Rasch) or None (no fit)
    fit_discrimination: np.ndarray
    fit_difficulty: np.ndarray
    linking: Linking


def precision_weighted(prior_mean, prior_sd, estimate, se):
    """Normal posterior of a normal prior and a normal likelihood, elementwise.

    In: arrays (or floats) prior_mean, prior_sd > 0, estimate, se. An entry whose estimate or
    se is not finite (or se <= 0) carries no information: the prior is returned there.
    Out: (posterior mean, posterior SD) as float arrays.
    """
    prior_mean, prior_sd, estimate, se = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (prior_mean, prior_sd, estimate, se))
    )
    informative = np.isfinite(estimate) & np.isfinite(se) & (se > 0)
    data_precision = np.where(informative, 1.0 / np.where(informative, se, 1.0) ** 2, 0.0)
    prior_precision = 1.0 / prior_sd**2
    precision = prior_precision + data_precision
    mean = (
        prior_mean * prior_precision + np.where(informative, estimate, 0.0) * data_precision
    ) / precision
    return mean, 1.0 / np.sqrt(precision)


def _fit(responses, model):
    """mirt's MML fit of a persons × items 0/1/NaN matrix -> (a, b, se_a, se_b) arrays.
    Learners with no answer among these items are left out (they carry no information)."""
    import mirt  # a compiled extension: loaded by the nightly job, not by every web process

    responses = responses[np.any(~np.isnan(responses), axis=1)]
    result = mirt.fit_mirt(responses, model="2PL" if model == "2pl" else "1PL")
    params, errors = result.model.parameters, result.standard_errors
    a = np.ravel(params["discrimination"]).astype(float)
    b = np.ravel(params["difficulty"]).astype(float)
    se_a = np.ravel(errors.get("discrimination", np.full_like(a, np.nan))).astype(float)
    se_b = np.ravel(errors.get("difficulty", np.full_like(b, np.nan))).astype(float)
    return a, b, se_a, se_b


def stocking_lord(old_a, old_b, new_a, new_b):
    """(A, B) that put 2PL items (new_a, new_b) on the scale of the same items' (old_a, old_b):
    the Stocking–Lord criterion (the anchors' test characteristic curves, squared difference
    weighted by N(0, 1) on -4..4 logits), by `mirt.equating.link`. About 30 ms for 300 items."""
    from mirt.equating import link
    from mirt.models import TwoParameterLogistic

    def form(a, b):
        model = TwoParameterLogistic(n_items=len(a))
        model.set_parameters(
            discrimination=np.asarray(a, dtype=float), difficulty=np.asarray(b, dtype=float)
        )
        return model

    anchors = list(range(len(old_a)))
    result = link(
        form(old_a, old_b),
        form(new_a, new_b),
        anchors,
        anchors,
        method="stocking_lord",
        compute_diagnostics=False,
    )
    return result.constants.A, result.constants.B


def link_to_previous(previous, a_hat, b_hat, counts, scale_items, rasch):
    """The Linking of a fit's estimates (`a_hat`, `b_hat`: arrays, NaN where unbounded; `counts`
    answers per item) to `previous` (a PreviousFit, or None when no calibration has set the
    scale yet), on the anchors among `scale_items` (see the module docstring). `rasch`: the fit
    is Rasch throughout, so only a shift is estimated. A Stocking–Lord fit that does not
    converge raises RuntimeError, before anything is written: yesterday's scale stands."""
    method = CalibrationRun.Linking
    if previous is None:
        return Linking(method.BASE.value)
    anchors = np.array(
        [
            i
            for i in scale_items
            if counts[i] >= MIN_ANCHOR_RESPONSES
            and previous.responses[i] >= MIN_ANCHOR_RESPONSES
            and np.isfinite(previous.difficulty[i])
            and np.isfinite(previous.discrimination[i])
            and np.isfinite(b_hat[i])
            and np.isfinite(a_hat[i])
        ],
        dtype=int,
    )
    if anchors.size < MIN_ANCHORS:
        return Linking(method.UNLINKED.value, anchors=int(anchors.size))
    old_b = previous.difficulty[anchors]
    if rasch:
        name, slope = method.MEAN_SHIFT.value, 1.0
        intercept = float(np.mean(old_b - b_hat[anchors]))
    else:
        name = method.STOCKING_LORD.value
        slope, intercept = stocking_lord(
            previous.discrimination[anchors], old_b, a_hat[anchors], b_hat[anchors]
        )
    drift = float(np.mean(np.abs(slope * b_hat[anchors] + intercept - old_b)))
    return Linking(name, float(slope), float(intercept), int(anchors.size), drift)


def calibrate(
    responses: np.ndarray, prior_difficulty: Sequence[float], previous: PreviousFit | None = None
) -> ItemParameters:
    """Fit the bank, link it to `previous` and apply the priors (see the module docstring).

    In: `responses`, persons × items floats, 1.0 right, 0.0 wrong, NaN not seen;
    `prior_difficulty`, one prior b (logits) per item; `previous`, the previous calibration's
    fit estimates per item (None: this fit defines the base scale). Out: ItemParameters.
    Pure: no database. Takes about 2–3 s for 2,000 persons × 300 items on one core.
    """
    responses = np.asarray(responses, dtype=float)
    n_items = responses.shape[1]
    prior_b = np.asarray(prior_difficulty, dtype=float)
    counts = np.sum(~np.isnan(responses), axis=0).astype(int)
    a = np.ones(n_items)
    b = prior_b.copy()
    se_a: list = [PRIOR_LOG_DISCRIMINATION_SD] * n_items
    se_b = np.full(n_items, PRIOR_DIFFICULTY_SD)
    model = [ItemCalibration.Model.PRIOR.value] * n_items
    a_hat = np.full(n_items, np.nan)
    b_hat = np.full(n_items, np.nan)

    fitted = np.flatnonzero(counts >= MIN_FIT_RESPONSES)
    if fitted.size < 2:
        linking = Linking(CalibrationRun.Linking.NONE.value)
        return ItemParameters(a, b, se_a, se_b, counts, model, None, a_hat, b_hat, linking)
    two_pl = np.flatnonzero(counts >= MIN_2PL_RESPONSES)
    if two_pl.size < 2:
        two_pl = two_pl[:0]
    rasch = np.setdiff1d(fitted, two_pl)
    se_a_hat = np.full(n_items, np.nan)
    se_b_hat = np.full(n_items, np.nan)
    if two_pl.size:
        a_hat[two_pl], b_hat[two_pl], se_a_hat[two_pl], se_b_hat[two_pl] = _fit(
            responses[:, two_pl], "2pl"
        )
    if rasch.size:
        # One Rasch fit over every fitted item (the well-answered ones anchor the learners'
        # abilities); only the thin items take their b from it.
        _, b_all, _, se_all = _fit(responses[:, fitted], "rasch")
        position = {item: i for i, item in enumerate(fitted)}
        for index in rasch:
            b_hat[index], se_b_hat[index] = b_all[position[index]], se_all[position[index]]
            a_hat[index] = 1.0
    b_hat = np.where(np.abs(b_hat) >= _B_LIMIT, np.nan, b_hat)
    a_hat = np.where((a_hat > 0) & (a_hat < _A_LIMIT), a_hat, np.nan)

    scale_items = two_pl if two_pl.size else fitted
    linking = link_to_previous(previous, a_hat, b_hat, counts, scale_items, not two_pl.size)
    slope, intercept = linking.slope, linking.intercept
    fit_b = slope * b_hat + intercept
    fit_a = a_hat.copy()
    fit_a[two_pl] /= slope
    if two_pl.size:
        # Shrink on log a: a is positive and its sampling distribution is skewed. The SE of
        # log a, se(a) / a, is the same on either scale.
        log_a, log_sd = precision_weighted(
            0.0,
            PRIOR_LOG_DISCRIMINATION_SD,
            np.log(fit_a[two_pl]),
            se_a_hat[two_pl] / a_hat[two_pl],
        )
        a[two_pl] = np.exp(log_a)
        for index, value, sd in zip(two_pl, a[two_pl], log_sd, strict=True):
            se_a[index] = float(value * sd)  # delta method
            model[index] = ItemCalibration.Model.TWO_PL.value
    for index in rasch:
        se_a[index] = None
        model[index] = ItemCalibration.Model.RASCH.value
    b[fitted], se_b[fitted] = precision_weighted(
        prior_b[fitted], PRIOR_DIFFICULTY_SD, fit_b[fitted], slope * se_b_hat[fitted]
    )
    fit_model = "2pl" if two_pl.size else "rasch"
    return ItemParameters(a, b, se_a, se_b, counts, model, fit_model, fit_a, fit_b, linking)


def ability_eap(
    correct: Sequence[bool], a: Sequence[float], b: Sequence[float]
) -> tuple[float, float]:
    """Expected a posteriori ability from one learner's answers under the 2PL.

    In: `correct[i]` whether item i was answered right (unanswered counts as wrong, as scoring
    does), its discrimination `a[i]` and difficulty `b[i]` (logits). Prior θ ~ N(0, 1).
    Out: (θ, posterior SD), in logits. No answers gives the prior, (0.0, 1.0).
    The posterior is integrated by 61-point Gauss–Hermite quadrature (probabilists' weight, so
    the nodes carry the N(0, 1) prior exactly; Bock & Mislevy 1982, Applied Psych. Meas. 6(4)).
    """
    x = np.asarray(correct, dtype=float)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if not (x.shape == a.shape == b.shape):
        raise ValueError("correct, a and b must have the same length")
    # log P and log (1 - P) on the grid, written with logaddexp so no probability underflows.
    z = a[None, :] * (_EAP_NODES[:, None] - b[None, :])
    log_likelihood = -(x * np.logaddexp(0, -z) + (1 - x) * np.logaddexp(0, z)).sum(axis=1)
    log_post = log_likelihood + np.log(_EAP_WEIGHTS)
    weights = np.exp(log_post - log_post.max())
    weights /= weights.sum()
    theta = float(weights @ _EAP_NODES)
    sd = float(math.sqrt(max(weights @ (_EAP_NODES - theta) ** 2, 0.0)))
    return theta, sd


def item_information(a: float, b: float, thetas: Sequence[float]) -> np.ndarray:
    """Fisher information of a 2PL item at each ability: I(θ) = a² P(θ) (1 − P(θ))."""
    p = 1.0 / (1.0 + np.exp(-a * (np.asarray(thetas, dtype=float) - b)))
    return a * a * p * (1.0 - p)


def first_exposure_answers():
    """Yield (sitting id, version id, is_correct) of every first-exposure mock or pilot answer,
    ordered by sitting.

    One query: every sitting item is ranked within its learner and question by when its sitting
    started (a window function: one sort), and a finished mock's graded items ranked first are
    kept. Raw SQL because the ORM applies the mode filter before the ranking (which would drop
    the practice answers that make a later mock answer a repeat), and because a per-row "was
    there an earlier one?" subquery grows with the square of a question's answers (30 s for
    72,000 items on SQLite, against 0.4 s for this).
    """
    item, sitting = SittingItem._meta.db_table, Sitting._meta.db_table
    sql = (
        "SELECT sitting_id, version_id, is_correct FROM ("
        " SELECT i.sitting_id, i.position, i.version_id, i.is_correct, s.mode, s.status,"
        " ROW_NUMBER() OVER (PARTITION BY s.user_id, i.question_id"
        " ORDER BY s.started_at, s.id) AS exposure"
        f" FROM {item} i JOIN {sitting} s ON s.id = i.sitting_id"
        ") ranked WHERE exposure = 1 AND mode = %s AND status = %s AND is_correct IS NOT NULL"
        " ORDER BY sitting_id, position"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Sitting.Mode.MOCK.value, Sitting.Status.FINISHED.value])
        while rows := cursor.fetchmany(5000):
            for sitting_id, version_id, is_correct in rows:
                yield sitting_id, version_id, bool(is_correct)


def _previous_fit(columns, rows):
    """The PreviousFit of `columns` items from the stored calibrations, `rows` of
    (column, fit a, fit b, responses); None while no calibration has set the base scale."""
    if not CalibrationRun.objects.exclude(linking=CalibrationRun.Linking.NONE).exists():
        return None
    a, b, n = np.full(columns, np.nan), np.full(columns, np.nan), np.zeros(columns, dtype=int)
    for column, fit_a, fit_b, responses in rows:
        if fit_b is not None and fit_a is not None:
            a[column], b[column], n[column] = fit_a, fit_b, responses or 0
    return PreviousFit(a, b, n)


def _finite(value):
    return float(value) if np.isfinite(value) else None


def calibrate_items(now=None, dry_run=False):
    """Calibrate every version of a published or pilot question, link the fit to the previous
    calibration's scale, and store ItemCalibration rows and a CalibrationRun.

    Out: a summary dict {versions, items, fitted, prior_only, responses, mocks, model, linking,
    slope, intercept, anchors, anchor_drift, seconds, dry_run}. Queries: 3 reads (versions with
    their stored calibration, whether a scale is set, answers) and, unless `dry_run`, an upsert
    per 500 versions and the run, all in one transaction. About 4 s for 72,000 sitting items on
    SQLite.
    """
    now = now or timezone.now()
    started = time.monotonic()
    versions = list(
        QuestionVersion.objects.filter(
            question__status__in=[Question.Status.PUBLISHED, Question.Status.PILOT]
        )
        .order_by("id")
        .values_list(
            "id",
            "item_root_id",
            "question__difficulty",
            "calibration__fit_discrimination",
            "calibration__fit_difficulty",
            "calibration__responses",
        )
    )
    pool_of = {vid: root or vid for vid, root, *_ in versions}
    pools = sorted(set(pool_of.values()))
    column = {pool: index for index, pool in enumerate(pools)}
    prior_b = np.zeros(len(pools))
    for vid, _, tag, *_ in versions:
        prior_b[column[pool_of[vid]]] = PRIOR_DIFFICULTY.get(tag, 0.0)
    previous = _previous_fit(
        len(pools), [(column[pool_of[vid]], *stored) for vid, _, _, *stored in versions]
    )

    row_of, cells = {}, []
    for sitting_id, version_id, is_correct in first_exposure_answers():
        pool = pool_of.get(version_id)
        if pool is None:
            continue  # a retired or draft question's answer
        row = row_of.setdefault(sitting_id, len(row_of))
        cells.append((row, column[pool], 1.0 if is_correct else 0.0))
    matrix = np.full((len(row_of), len(pools)), np.nan)
    if cells:
        rows, cols, values = np.array(cells).T
        matrix[rows.astype(int), cols.astype(int)] = values

    result = calibrate(matrix, prior_b, previous)
    linking = result.linking
    summary = {
        "versions": len(versions),
        "items": len(pools),
        "fitted": sum(m != ItemCalibration.Model.PRIOR for m in result.model),
        "prior_only": sum(m == ItemCalibration.Model.PRIOR for m in result.model),
        "responses": len(cells),
        "mocks": len(row_of),
        "model": result.fit_model,
        "linking": linking.method,
        "slope": round(linking.slope, 4),
        "intercept": round(linking.intercept, 4),
        "anchors": linking.anchors,
        "anchor_drift": None if linking.anchor_drift is None else round(linking.anchor_drift, 4),
        "dry_run": dry_run,
    }
    if not dry_run and versions:
        rows = []
        for vid, *_ in versions:
            i = column[pool_of[vid]]
            se_a = result.discrimination_se[i]
            fit_b = _finite(result.fit_difficulty[i])
            rows.append(
                ItemCalibration(
                    version_id=vid,
                    discrimination=float(result.discrimination[i]),
                    difficulty=float(result.difficulty[i]),
                    discrimination_se=None if se_a is None else float(se_a),
                    difficulty_se=float(result.difficulty_se[i]),
                    responses=int(result.responses[i]),
                    model=result.model[i],
                    fitted_at=now,
                    fit_discrimination=(
                        None if fit_b is None else _finite(result.fit_discrimination[i])
                    ),
                    fit_difficulty=fit_b,
                )
            )
        with transaction.atomic():
            ItemCalibration.objects.bulk_create(
                rows,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["version"],
                update_fields=[
                    "discrimination",
                    "difficulty",
                    "discrimination_se",
                    "difficulty_se",
                    "responses",
                    "model",
                    "fitted_at",
                    "fit_discrimination",
                    "fit_difficulty",
                ],
            )
            CalibrationRun.objects.create(
                fitted_at=now,
                fit_model=result.fit_model or "",
                versions=summary["versions"],
                items=summary["items"],
                fitted=summary["fitted"],
                responses=summary["responses"],
                mocks=summary["mocks"],
                linking=linking.method,
                slope=linking.slope,
                intercept=linking.intercept,
                anchors=linking.anchors,
                anchor_drift=linking.anchor_drift,
                seconds=round(time.monotonic() - started, 2),
            )
    summary["seconds"] = round(time.monotonic() - started, 2)
    return summary
