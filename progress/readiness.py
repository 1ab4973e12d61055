"""Mastery estimates and readiness: pure functions, no database (see progress/mastery.py).

Method, in a few lines:
- Mastery of a domain or task statement is a Beta posterior on "chance of answering a question of
  it right": prior Beta(PRIOR_CORRECT, PRIOR_WRONG) (a typical learner, 60 %, worth 4 answers),
  plus the learner's answers, each weighted by recency (last 30 days 1, 30-90 days 0.5, older
  0.25). `mastery` is the posterior mean; `mastery_low` its 10th percentile (the conservative
  figure), so three lucky answers never read as mastery.
- Readiness predicts the next 75-question mock: per domain, the number right is beta-binomial
  (blueprint quota, domain posterior); the total's mean and variance are summed over domains and
  read through a normal approximation: predicted scaled score, an 80 % interval, and the
  probability of scoring at least 750 (55 of 75 right on the linear scale).
- The rule between score and knowledge: a mock's score counts an unanswered question as wrong
  (as the exam does); mastery, the review queue and missed questions ignore questions never
  answered (they say nothing about knowledge). Readiness forecasts a score, so it assumes the
  learner leaves the same share unanswered as in their recent mocks (`unanswered_share`): each
  question is right with probability mastery x (1 - share).
- Below MIN_ANSWERS answers, or fewer than MIN_PER_DOMAIN in any domain, readiness is None
  ("not enough data") instead of a confident-looking number.
"""

import math
from dataclasses import dataclass

from domains import blueprint

PRIOR_CORRECT = 2.4
PRIOR_WRONG = 1.6
Z80 = 1.2815515655446004  # two-sided 80 %: 10th and 90th percentiles
MIN_ANSWERS = 30
MIN_PER_DOMAIN = 3
RECENT_DAYS, OLDER_DAYS = 30, 90
RECENT_WEIGHT, OLDER_WEIGHT, OLDEST_WEIGHT = 1.0, 0.5, 0.25


@dataclass(frozen=True)
class Mastery:
    answered: int
    correct: int
    alpha: float
    beta: float

    @classmethod
    def from_counts(cls, answered=0, correct=0, weighted_answered=None, weighted_correct=None):
        wn = answered if weighted_answered is None else weighted_answered
        wc = correct if weighted_correct is None else weighted_correct
        return cls(answered, correct, PRIOR_CORRECT + wc, PRIOR_WRONG + (wn - wc))

    @property
    def mean(self):
        return self.alpha / (self.alpha + self.beta)

    @property
    def variance(self):
        a, b = self.alpha, self.beta
        return a * b / ((a + b) ** 2 * (a + b + 1))

    @property
    def low(self):
        return min(1.0, max(0.0, self.mean - Z80 * math.sqrt(self.variance)))

    def as_dict(self):
        return {
            "answered": self.answered,
            "correct": self.correct,
            "mastery": round(self.mean, 4),
            "mastery_low": round(self.low, 4),
        }


def normal_cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def to_scaled(correct, total=blueprint.QUESTIONS_PER_EXAM):
    span = blueprint.MAX_SCALED_SCORE - blueprint.MIN_SCALED_SCORE
    value = blueprint.MIN_SCALED_SCORE + span * correct / total
    return int(round(min(blueprint.MAX_SCALED_SCORE, max(blueprint.MIN_SCALED_SCORE, value))))


def correct_needed_to_pass(total=blueprint.QUESTIONS_PER_EXAM):
    span = blueprint.MAX_SCALED_SCORE - blueprint.MIN_SCALED_SCORE
    return math.ceil((blueprint.PASSING_SCALED_SCORE - blueprint.MIN_SCALED_SCORE) * total / span)


def readiness(domain_mastery, weights, unanswered_share=0.0):
    """Predict the next mock from {domain number: Mastery}, {domain number: weight} and the share
    of mock questions (0-1) the learner recently left unanswered.

    Returns {predicted_score, low, high, pass_probability, unanswered_share, method "mastery"} or
    None when there is too little data. (Where the learner's mocks are calibrated, readiness comes
    from their ability instead: progress.equating.irt_readiness.)
    """
    answered = sum(m.answered for m in domain_mastery.values())
    if answered < MIN_ANSWERS or any(
        domain_mastery.get(d, Mastery.from_counts()).answered < MIN_PER_DOMAIN for d in weights
    ):
        return None
    quotas = blueprint.split_by_weight(blueprint.QUESTIONS_PER_EXAM, weights)
    mean = variance = 0.0
    for number, n in quotas.items():
        m = domain_mastery[number]
        p, s = m.mean * (1 - unanswered_share), m.alpha + m.beta
        mean += n * p
        variance += n * p * (1 - p) * (s + n) / (s + 1)  # beta-binomial
    sd = math.sqrt(variance)
    need = correct_needed_to_pass()
    return {
        "predicted_score": to_scaled(mean),
        "low": to_scaled(mean - Z80 * sd),
        "high": to_scaled(mean + Z80 * sd),
        "pass_probability": round(1 - normal_cdf((need - 0.5 - mean) / sd), 4),
        "unanswered_share": round(unanswered_share, 4),
        "method": "mastery",
    }


def expected_points(weight_percent, mastery):
    """Points of the exam (out of 100) a learner can expect to gain: weight x room to improve."""
    return round(weight_percent * (1 - mastery.low), 2)


def without_misses(mastery, misses):
    """`mastery` with `misses` wrong answers taken out of the evidence: misses the learner put
    down to misreading or running out of time say little about knowledge. The weighted wrong
    evidence shrinks in proportion (misses beyond the wrong answers are ignored)."""
    wrong = mastery.answered - mastery.correct
    misses = min(misses, wrong)
    if misses <= 0:
        return mastery
    weighted_wrong = mastery.beta - PRIOR_WRONG
    keep = (wrong - misses) / wrong
    return Mastery(
        mastery.answered - misses,
        mastery.correct,
        mastery.alpha,
        PRIOR_WRONG + weighted_wrong * keep,
    )
