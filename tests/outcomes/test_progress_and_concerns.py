"""A client's progress at fixed timepoints, and which measure each concern is judged on."""

from datetime import date, timedelta

import pytest

from longtide.outcomes import instruments
from longtide.outcomes.change import ChangeCategory
from longtide.outcomes.concerns import PLANS, Concern, measure_for
from longtide.outcomes.diary import DiaryDay, MonthlyDays, NotComputable
from longtide.outcomes.measures import MHD, Measure, measure_of
from longtide.outcomes.progress import client_progress
from longtide.outcomes.windows import Measurement

START = date(2026, 3, 2)
SESSIONS = [START + timedelta(days=d) for d in (0, 7, 14, 21, 35, 49, 63, 77)]


def on(day: int, value: float) -> Measurement:
    return Measurement(START + timedelta(days=day), value)


def test_a_clients_progress_at_each_fixed_timepoint() -> None:
    # baseline 7 (day -2). Before session 4 (after day 14, up to day 21): day 20, 5 -> 7 to 5 is
    # 2 points but 29 %: within noise. Before session 8 (after day 63, up to day 77): day 70, 3 ->
    # improved. Week 6 (days 28-56): day 42 is closest to 42, so 6, not the better 3 of day 55 ->
    # within noise. Week 12 (days 63-105): day 70, 3 -> improved (4 points, 57 %), a responder.
    measurements = [on(-2, 7), on(20, 5), on(42, 6), on(55, 3), on(70, 3)]
    progress = client_progress(measure_of(instruments.get("nprs_pain")), measurements, start=START, sessions=SESSIONS)
    assert (progress.baseline.value, progress.baseline.taken_on) == (7, START - timedelta(days=2))
    points = {p.window.key: p for p in progress.timepoints}
    assert {key: p.value for key, p in points.items()} == {
        "before_session_4": 5,
        "before_session_8": 3,
        "week_6": 6,
        "week_12": 3,
    }
    assert {key: p.change and p.change.category for key, p in points.items()} == {
        "before_session_4": ChangeCategory.WITHIN_NOISE,
        "before_session_8": ChangeCategory.IMPROVED,
        "week_6": ChangeCategory.WITHIN_NOISE,
        "week_12": ChangeCategory.IMPROVED,
    }
    week_12_change = points["week_12"].change
    assert week_12_change is not None and week_12_change.responder


def test_without_a_baseline_there_is_no_change_to_show() -> None:
    progress = client_progress(measure_of(instruments.get("gad7")), [on(42, 6)], start=START)
    assert progress.baseline.value is None
    week_6 = next(p for p in progress.timepoints if p.window.key == "week_6")
    assert week_6.value == 6
    assert week_6.change is None


def test_a_headache_clients_monthly_days_per_timepoint() -> None:
    diary = [
        DiaryDay(START - timedelta(days=28 - n), headache=n % 3 == 0, peak=5 if n % 3 == 0 else None) for n in range(28)
    ]
    diary += [
        DiaryDay(START + timedelta(days=57 + n), headache=n % 7 == 0, peak=5 if n % 7 == 0 else None) for n in range(28)
    ]
    progress = client_progress(MHD, diary=diary, start=START, sessions=SESSIONS[:3])
    assert isinstance(progress.baseline.diary, MonthlyDays)
    assert progress.baseline.value == 10  # days 0, 3, ..., 27 of 28
    week_12 = next(p for p in progress.timepoints if p.window.key == "week_12")
    assert week_12.value == 4
    assert week_12.change is not None
    assert week_12.change.category is ChangeCategory.IMPROVED  # 60 % fewer
    assert week_12.change.responder
    week_6 = next(p for p in progress.timepoints if p.window.key == "week_6")
    assert isinstance(week_6.diary, NotComputable)
    assert week_6.value is None and week_6.change is None
    before_4 = next(p for p in progress.timepoints if p.window.key == "before_session_4")
    assert before_4.value is None and before_4.diary is None  # only 3 sessions so far


def key_of(measure: Measure | None) -> str:
    assert measure is not None
    return measure.key


@pytest.mark.parametrize("concern", list(Concern))
def test_every_concern_has_a_plan_whose_instruments_exist(concern: Concern) -> None:
    plan = PLANS[concern]
    for instrument_id in (*plan.primary, *plan.alternatives, *plan.follow_up):
        instruments.get(instrument_id)
    measure = measure_for(concern)
    if plan.measure is None:
        assert measure is None
    else:
        assert measure is not None and measure.key == plan.measure


def test_the_measures_domain_md_names() -> None:
    assert measure_for(Concern.HEADACHE) is MHD
    assert key_of(measure_for(Concern.TMJ)) == "nprs_jaw"  # JFLS-8 has no MCID
    assert key_of(measure_for(Concern.NERVOUS_SYSTEM_REGULATION)) == "gad7"
    assert measure_for(Concern.TRAUMA_RECOVERY) is None
    assert PLANS[Concern.TRAUMA_RECOVERY].primary == ("phq4",)
