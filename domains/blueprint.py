"""The DOP-C02 exam format, in one place: every number about the exam is read from here."""

import functools
from fractions import Fraction

QUESTIONS_PER_EXAM = 75
SCORED_ON_REAL_EXAM = 65
UNSCORED_ON_REAL_EXAM = 10
EXAM_MINUTES = 180
ACCOMMODATION_MINUTES = 30
MIN_SCALED_SCORE = 100
MAX_SCALED_SCORE = 1000
PASSING_SCALED_SCORE = 750
SINGLE_MIN_CHOICES = 4
MULTIPLE_MIN_CHOICES = 5
MINUTES_PER_QUESTION = Fraction(EXAM_MINUTES, QUESTIONS_PER_EXAM)  # 2.4


def split_by_weight(total, weights):
    """Split `total` items over domains by weight with the largest-remainder method.

    `weights` maps a domain number to its weight. Leftover seats go to the largest remainders;
    ties go to the heavier domain, then to the lower domain number. Exact arithmetic, so 22/100
    of 75 is never 16.4999. Memoised: the nightly reports ask for the same split once per
    learner, and the exact fractions were a tenth of their run time.
    """
    return dict(_split_by_weight(total, tuple(sorted(weights.items()))))


@functools.lru_cache(maxsize=128)
def _split_by_weight(total, weights):
    weights = dict(weights)
    if total < 0:
        raise ValueError("total must not be negative")
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than zero")
    quotas = {number: Fraction(total * weight, weight_sum) for number, weight in weights.items()}
    seats = {number: int(quota) for number, quota in quotas.items()}
    leftover = total - sum(seats.values())
    order = sorted(quotas, key=lambda n: (-(quotas[n] - seats[n]), -weights[n], n))
    for number in order[:leftover]:
        seats[number] += 1
    return tuple(seats.items())


def scaled_score(correct, total):
    """Estimated scaled score: linear from 100 (none right) to 1000 (all right).

    AWS does not publish its scaling; this estimate puts the pass mark (750) at 72.2 % correct.
    """
    if total <= 0:
        return MIN_SCALED_SCORE
    span = MAX_SCALED_SCORE - MIN_SCALED_SCORE
    return round(MIN_SCALED_SCORE + span * correct / total)


def fraction_to_pass():
    return Fraction(PASSING_SCALED_SCORE - MIN_SCALED_SCORE, MAX_SCALED_SCORE - MIN_SCALED_SCORE)
