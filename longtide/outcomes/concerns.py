"""Which instrument measures which concern (domain.md §1, "Which instrument for which concern").

One primary measure per episode, fixed at intake from the client's main concern, plus PGIC at
follow-ups; the practitioner may change it with a reason. ``measure`` names what change is judged
on (for TMJ the jaw-pain rating, because JFLS-8 has no MCID). Concern keys follow the intake's list
of reasons for coming; the intake maps its answers onto them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from longtide.lib.i18n_marks import gettext_noop
from longtide.outcomes import instruments
from longtide.outcomes.measures import MHD, Measure, measure_of


class Concern(StrEnum):
    STRESS_ANXIETY = "stress_anxiety"
    HEADACHE = "headache"
    NECK_BACK_PAIN = "neck_back_pain"
    TMJ = "tmj"
    SHOULDER = "shoulder"
    PMS_CRAMPS = "pms_cramps"
    FIBROMYALGIA = "fibromyalgia"
    FATIGUE = "fatigue"
    SLEEP = "sleep"
    NERVOUS_SYSTEM_REGULATION = "nervous_system_regulation"
    INJURY_RECOVERY = "injury_recovery"
    TRAUMA_RECOVERY = "trauma_recovery"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Plan:
    """What to collect for a concern."""

    primary: tuple[str, ...]  # instrument ids collected at every timepoint
    measure: str | None  # what change is judged on: an instrument id, "headache_diary.mhd", or None
    alternatives: tuple[str, ...] = ()  # licensed or secondary choices the practitioner may pick
    follow_up: tuple[str, ...] = ("pgic",)
    note: str = ""


PLANS: dict[Concern, Plan] = {
    Concern.HEADACHE: Plan(("headache_diary",), "headache_diary.mhd", ("hit6", "midas")),
    Concern.NECK_BACK_PAIN: Plan(("nprs_pain", "psfs"), "nprs_pain", ("ndi", "odi")),
    Concern.TMJ: Plan(
        ("jfls8", "nprs_jaw"),
        "nprs_jaw",
        note=gettext_noop("JFLS-8 has no published minimal important change; change is judged on jaw pain."),
    ),
    Concern.SHOULDER: Plan(("spadi",), "spadi"),
    Concern.PMS_CRAMPS: Plan(("menstrual_pain",), "menstrual_pain"),
    Concern.STRESS_ANXIETY: Plan(("gad7", "phq4"), "gad7", ("pss10",)),
    Concern.NERVOUS_SYSTEM_REGULATION: Plan(
        ("gad7", "phq4"),
        "gad7",
        ("pss10", "nrs_sleep_quality"),
        note=gettext_noop(
            "'Nervous system regulation' is not a validated construct: stress, anxiety and sleep are measured instead."
        ),
    ),
    Concern.SLEEP: Plan(("nrs_sleep_quality",), "nrs_sleep_quality", ("isi", "psqi")),
    Concern.FATIGUE: Plan(("nrs_fatigue",), "nrs_fatigue", ("fss",)),
    Concern.FIBROMYALGIA: Plan(("nprs_pain", "psfs"), "nprs_pain", ("fiqr",)),
    Concern.INJURY_RECOVERY: Plan(("psfs", "nprs_pain"), "psfs"),
    Concern.TRAUMA_RECOVERY: Plan(
        ("phq4",),
        None,
        follow_up=(),
        note=gettext_noop(
            "Trauma is not measured as an outcome: the PHQ-4 screens for distress so the practitioner can refer."
        ),
    ),
    Concern.OTHER: Plan((), None, note=gettext_noop("The practitioner chooses the measure.")),
}


def measure_for(concern: Concern) -> Measure | None:
    """Return the measure change is judged on for ``concern``, or None when it has none."""
    plan = PLANS[concern]
    if plan.measure is None:
        return None
    if plan.measure == MHD.key:
        return MHD
    return measure_of(instruments.get(plan.measure))
