"""When a pilot question is ready to publish: the rule authors see in the admin.

A pilot question sits in mocks as an unscored item until enough learners have answered it for
its classical item statistics (progress.item_analysis, nightly) to say it works. It is
*proposed* for publishing, never published automatically: an author reads the statistics and
decides (admin: filter "Pilot: ready to publish", action "Publish selected pilots").

The rule, on the statistics of the question's current version:

- at least PILOT_MIN_LEARNERS learners answered it (`QuestionStats.learners`: each learner
  counts once, so this is the number of first-exposure responses);
- facility (share right) between PILOT_MIN_FACILITY and PILOT_MAX_FACILITY: below, the key is
  suspect or the question is unfair; above, it tells no one apart;
- point-biserial discrimination (being right vs the learner's scaled score on that mock) above
  PILOT_MIN_DISCRIMINATION: stronger learners get it right more often than weaker ones.

The thresholds are conventional classical-test-theory screens for pretest items (facility away
from floor and ceiling, discrimination clearly above zero), kept loose because pilot samples are
small. The 30-learner floor keeps facility's standard error under about 0.09 (sqrt(0.25 / 30)).
"""

from django.db.models import Q

PILOT_MIN_LEARNERS = 30
PILOT_MIN_FACILITY = 0.20
PILOT_MAX_FACILITY = 0.95
PILOT_MIN_DISCRIMINATION = 0.10

_STATS = "current_version__stats__"

READY_TO_PUBLISH = Q(
    status="pilot",
    **{
        _STATS + "learners__gte": PILOT_MIN_LEARNERS,
        _STATS + "facility__gte": PILOT_MIN_FACILITY,
        _STATS + "facility__lte": PILOT_MAX_FACILITY,
        _STATS + "discrimination__gt": PILOT_MIN_DISCRIMINATION,
    },
)


def pilot_shortfalls(stats):
    """What keeps a pilot with these statistics (a QuestionStats, or None before any) from
    being proposed: a list of sentences, empty when it is ready to publish."""
    if stats is None:
        return [f"no answers analysed yet (needs {PILOT_MIN_LEARNERS} learners)"]
    reasons = []
    if stats.learners < PILOT_MIN_LEARNERS:
        reasons.append(f"{stats.learners} of {PILOT_MIN_LEARNERS} learners so far")
    if stats.facility is None or not (PILOT_MIN_FACILITY <= stats.facility <= PILOT_MAX_FACILITY):
        shown = "-" if stats.facility is None else f"{stats.facility:.0%}"
        reasons.append(
            f"facility {shown} outside {PILOT_MIN_FACILITY:.0%}-{PILOT_MAX_FACILITY:.0%}"
        )
    if stats.discrimination is None or stats.discrimination <= PILOT_MIN_DISCRIMINATION:
        shown = "-" if stats.discrimination is None else f"{stats.discrimination:+.2f}"
        reasons.append(f"discrimination {shown}, needs above {PILOT_MIN_DISCRIMINATION:+.2f}")
    return reasons
