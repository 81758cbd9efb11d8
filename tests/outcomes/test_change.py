"""Change against the minimal important change, in plain words, and who counts as a responder."""

import pytest

from longtide.outcomes import instruments
from longtide.outcomes.change import ChangeCategory, classify
from longtide.outcomes.measures import MHD, NoMcid, measure_of

NPRS = measure_of(instruments.get("nprs_pain"))
GAD7 = measure_of(instruments.get("gad7"))
PSFS = measure_of(instruments.get("psfs"))
HIT6 = measure_of(instruments.get("hit6"))

IMPROVED, NOISE, WORSE = ChangeCategory.IMPROVED, ChangeCategory.WITHIN_NOISE, ChangeCategory.WORSE


@pytest.mark.parametrize(
    ("baseline", "follow_up", "category", "responder", "why"),
    [
        (7, 4, IMPROVED, True, "3 points and 43 % of 7"),
        (8, 6, NOISE, False, "2 points but only 25 % of 8"),
        (8, 5, IMPROVED, True, "3 points and 37.5 %"),
        (5, 3, IMPROVED, True, "2 points and 40 %"),
        (3, 1, IMPROVED, True, "2 points and 67 %; 3 is more than one MCID from 0"),
        (2, 0, IMPROVED, False, "improved, but a baseline of 2 leaves no room beyond one MCID"),
        (6, 5, NOISE, False, "1 point"),
        (6, 6, NOISE, False, "no change"),
        (4, 6, WORSE, False, "2 points worse"),
        (8, 10, WORSE, False, "2 points worse: worsening needs the points alone"),
        (0, 1, NOISE, False, "1 point worse"),
    ],
)
def test_pain_rating_change_needs_2_points_and_30_percent_to_count_as_improved(
    baseline: int, follow_up: int, category: ChangeCategory, responder: bool, why: str
) -> None:
    change = classify(NPRS, baseline, follow_up)
    assert (change.category, change.responder) == (category, responder), why


def test_the_pain_rating_room_rule_is_a_baseline_of_3_or_more() -> None:
    assert [b for b in range(11) if NPRS.has_room(b)] == [3, 4, 5, 6, 7, 8, 9, 10]


@pytest.mark.parametrize(
    ("baseline", "follow_up", "category", "responder"),
    [
        (12, 8, IMPROVED, True),
        (12, 9, NOISE, False),
        (4, 0, IMPROVED, False),
        (5, 1, IMPROVED, True),
        (10, 14, WORSE, False),
    ],
)
def test_gad7_change_against_4_points(baseline: int, follow_up: int, category: ChangeCategory, responder: bool) -> None:
    change = classify(GAD7, baseline, follow_up)
    assert (change.category, change.responder) == (category, responder)


def test_gad7_room_rule_matches_the_mild_anxiety_cut_off() -> None:
    assert min(b for b in range(22) if GAD7.has_room(b)) == 5


@pytest.mark.parametrize(
    ("baseline", "follow_up", "category", "responder"),
    [(3, 5, IMPROVED, True), (8, 10, IMPROVED, False), (5, 3, WORSE, False), (5, 6, NOISE, False)],
)
def test_psfs_is_higher_better(baseline: int, follow_up: int, category: ChangeCategory, responder: bool) -> None:
    change = classify(PSFS, baseline, follow_up)
    assert (change.category, change.responder) == (category, responder)
    assert change.difference == follow_up - baseline
    assert change.improvement == follow_up - baseline


def test_psfs_room_rule_is_a_baseline_under_8() -> None:
    assert [b for b in range(11) if PSFS.has_room(b)] == [0, 1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("baseline", "follow_up", "category", "responder"),
    [(66, 60, IMPROVED, True), (41, 36, NOISE, False), (42, 36, IMPROVED, False), (50, 56, WORSE, False)],
)
def test_hit6_change_is_measured_from_its_floor_of_36(
    baseline: int, follow_up: int, category: ChangeCategory, responder: bool
) -> None:
    change = classify(HIT6, baseline, follow_up)
    assert (change.category, change.responder) == (category, responder)


@pytest.mark.parametrize(
    ("baseline", "follow_up", "category", "responder"),
    [
        (11.2, 4, IMPROVED, True),  # 64 % fewer
        (10, 6, NOISE, False),  # 40 % fewer
        (8, 4, IMPROVED, True),  # exactly 50 %
        (5, 8, WORSE, False),  # 60 % more
        (0, 1, WORSE, False),  # from none: any increase reaches the percentage
        (3, 0, IMPROVED, False),  # 100 % fewer, but under 4 days at baseline
    ],
)
def test_monthly_headache_days_change_against_50_percent(
    baseline: float, follow_up: int, category: ChangeCategory, responder: bool
) -> None:
    change = classify(MHD, baseline, follow_up)
    assert (change.category, change.responder) == (category, responder)


def test_change_carries_its_numbers_and_plain_words() -> None:
    change = classify(NPRS, 7, 4)
    assert change.difference == -3
    assert change.improvement == 3
    assert change.percent == pytest.approx(300 / 7)
    assert change.wording == "improved by at least the minimal important change"
    assert classify(NPRS, 6, 5).wording == "within measurement noise (less than the minimal important change)"
    assert classify(NPRS, 4, 6).wording == "worse by at least the minimal important change"
    assert classify(NPRS, 2, 0).room_note == (
        "The starting score left too little room to show a meaningful improvement, so this does not count "
        "as a response."
    )
    assert classify(NPRS, 7, 4).room_note is None


def test_instruments_without_an_mcid_are_never_classified() -> None:
    for instrument_id in ("phq4", "jfls8", "midas", "pgic"):
        with pytest.raises(NoMcid):
            measure_of(instruments.get(instrument_id))


def test_a_subscale_is_measured_with_its_own_mcid() -> None:
    activity = measure_of(instruments.get("psfs"), subscale="activity1")
    assert activity.mcid.points == 3
    assert classify(activity, 4, 6).category is NOISE
    assert classify(activity, 4, 7).category is IMPROVED
