"""Headache diary arithmetic: monthly days per 28, the 80 % rule, IHS 2025 control bands,
responders. Worked by hand in the comments."""

from datetime import date, timedelta

import pytest

from longtide.outcomes.diary import (
    ControlBand,
    DiaryDay,
    MonthlyDays,
    NotComputable,
    baseline_period,
    control_band,
    headache_response,
    summarize,
)

FIRST_SESSION = date(2026, 3, 2)
BASELINE_FIRST = date(2026, 2, 2)  # 28 days: 2 Feb .. 1 Mar
BASELINE_LAST = date(2026, 3, 1)


def days(first: date, pattern: str, peaks: str = "") -> list[DiaryDay]:
    """One character per day from ``first``: '.' no headache, 'h' headache, 'm' migraine,
    'M' migraine + medication, 'H' headache + medication, ' ' no entry. ``peaks`` gives each
    headache's peak (a digit per day, '-' for none); default 5."""
    out = []
    for offset, symbol in enumerate(pattern):
        if symbol == " ":
            continue
        peak = int(peaks[offset]) if peaks and peaks[offset] != "-" else 5
        day = first + timedelta(days=offset)
        if symbol == ".":
            out.append(DiaryDay(day, headache=False))
        else:
            out.append(DiaryDay(day, headache=True, peak=peak, migraine=symbol in "mM", medication=symbol in "MH"))
    return out


# 28 days, 3 left blank, so 25 filled. Headache on 10 days: 6 with migraine features (m m M m M M,
# peaks 7 6 7 8 7 6), 4 without (h 3, H 4, h 2, H 5); medication (capital letters) on 5.
BASELINE = "..m.hM. ..Hm..M .h.Hm..M ..."
BASELINE_PEAKS = "--7-36----47--8--2-57--6----"


def test_baseline_pattern_is_what_the_comments_say() -> None:
    assert len(BASELINE) == 28
    entries = days(BASELINE_FIRST, BASELINE, BASELINE_PEAKS)
    assert len(entries) == 25
    assert sum(d.headache for d in entries) == 10
    assert sum(d.migraine for d in entries) == 6
    assert sum(d.medication for d in entries) == 5


def test_monthly_days_are_scaled_to_28_over_the_filled_days() -> None:
    # 25 filled days; 10 headache, 6 migraine, 5 medication days.
    # MHD = 10 x 28 / 25 = 11.2; MMD = 6 x 28 / 25 = 6.72; medication = 5 x 28 / 25 = 5.6
    # control days (migraine or peak >= 4): the 6 migraine days + headaches with peaks 3, 4, 2, 5 -> 4 and 5
    # count: 8 x 28 / 25 = 8.96 -> insufficient control (> 6)
    result = summarize(days(BASELINE_FIRST, BASELINE, BASELINE_PEAKS), last_day=BASELINE_LAST)
    assert isinstance(result, MonthlyDays)
    assert (result.first_day, result.last_day, result.diary_days) == (BASELINE_FIRST, BASELINE_LAST, 25)
    assert (result.headache_days, result.migraine_days, result.medication_days, result.control_days) == (10, 6, 5, 8)
    assert result.mhd == pytest.approx(11.2)
    assert result.mmd == pytest.approx(6.72)
    assert result.medication == pytest.approx(5.6)
    assert result.control == pytest.approx(8.96)
    assert result.control_band is ControlBand.INSUFFICIENT


def test_a_window_needs_80_percent_of_its_days_filled() -> None:
    # 80 % of 28 = 22.4, so 23 filled days are needed: 22 is not enough.
    full = days(BASELINE_FIRST, "h" * 28)
    assert isinstance(summarize(full[:23], last_day=BASELINE_LAST), MonthlyDays)
    result = summarize(full[:22], last_day=BASELINE_LAST)
    assert isinstance(result, NotComputable)
    assert (result.diary_days, result.needed) == (22, 23)
    assert result.message == "Not computable: 22 of 28 days were filled in, and at least 23 are needed."


def test_entries_outside_the_window_are_ignored() -> None:
    entries = days(BASELINE_FIRST - timedelta(days=5), "h" * 40)
    result = summarize(entries, last_day=BASELINE_LAST)
    assert isinstance(result, MonthlyDays)
    assert result.diary_days == 28
    assert result.mhd == 28


def test_two_entries_for_one_day_are_refused() -> None:
    entries = [*days(BASELINE_FIRST, "h" * 28), DiaryDay(BASELINE_FIRST, headache=False)]
    with pytest.raises(ValueError, match="2026-02-02"):
        summarize(entries, last_day=BASELINE_LAST)


def test_the_baseline_is_the_28_days_before_the_first_session() -> None:
    assert baseline_period(FIRST_SESSION) == (BASELINE_FIRST, BASELINE_LAST)


@pytest.mark.parametrize(
    ("days_per_28", "band"),
    [
        (0, ControlBand.FREEDOM),
        (0.5, ControlBand.OPTIMAL),
        (3.99, ControlBand.OPTIMAL),
        (4, ControlBand.MODEST),
        (6, ControlBand.MODEST),
        (6.01, ControlBand.INSUFFICIENT),
        (28, ControlBand.INSUFFICIENT),
    ],
)
def test_ihs_2025_control_bands(days_per_28: float, band: ControlBand) -> None:
    assert control_band(days_per_28) is band


FOLLOW_UP_LAST = FIRST_SESSION + timedelta(days=84)  # week 12: days 57..84 after the first session
# 28 of 28 filled; 4 headache days, 2 of them migraine, 1 with medication.
FOLLOW_UP = "....h.......m........H...m.."


def test_a_50_percent_responder_on_headache_and_migraine_days() -> None:
    baseline = summarize(days(BASELINE_FIRST, BASELINE, BASELINE_PEAKS), last_day=BASELINE_LAST)
    follow_up = summarize(days(FOLLOW_UP_LAST - timedelta(days=27), FOLLOW_UP), last_day=FOLLOW_UP_LAST)
    assert isinstance(baseline, MonthlyDays)
    assert isinstance(follow_up, MonthlyDays)
    assert (follow_up.mhd, follow_up.mmd) == (4, 2)
    # MHD: (11.2 - 4) / 11.2 = 64.3 % fewer -> a responder at 50 % and at 30 %
    mhd = headache_response(baseline, follow_up, measure="mhd")
    assert mhd.reduction == pytest.approx(7.2 / 11.2)
    assert mhd.has_room
    assert mhd.responder(0.5) and mhd.responder(0.3)
    # MMD: (6.72 - 2) / 6.72 = 70.2 % fewer
    mmd = headache_response(baseline, follow_up, measure="mmd")
    assert mmd.reduction == pytest.approx(4.72 / 6.72)
    assert mmd.responder(0.5)


def _monthly(mhd_days: int) -> MonthlyDays:
    result = summarize(days(BASELINE_FIRST, "h" * mhd_days + "." * (28 - mhd_days)), last_day=BASELINE_LAST)
    assert isinstance(result, MonthlyDays)
    return result


def test_a_40_percent_reduction_is_a_30_percent_responder_only() -> None:
    # 10 -> 6 days: 40 % fewer
    response = headache_response(_monthly(10), _monthly(6), measure="mhd")
    assert response.reduction == pytest.approx(0.4)
    assert not response.responder(0.5)
    assert response.responder(0.3)


def test_exactly_50_percent_fewer_is_a_responder() -> None:
    assert headache_response(_monthly(8), _monthly(4), measure="mhd").responder(0.5)


def test_more_headache_days_is_a_negative_reduction() -> None:
    response = headache_response(_monthly(5), _monthly(10), measure="mhd")
    assert response.reduction == pytest.approx(-1.0)
    assert not response.responder(0.3)


def test_a_baseline_under_4_days_leaves_no_room_to_be_a_responder() -> None:
    # IHS: prevention candidates have 4 or more monthly days; 3 -> 0 is 100 % fewer but not counted.
    response = headache_response(_monthly(3), _monthly(0), measure="mhd")
    assert response.reduction == 1.0
    assert not response.has_room
    assert not response.responder(0.5)
    assert headache_response(_monthly(4), _monthly(0), measure="mhd").responder(0.5)


def test_a_baseline_without_headache_has_no_reduction() -> None:
    response = headache_response(_monthly(0), _monthly(2), measure="mhd")
    assert response.reduction is None
    assert not response.responder(0.5)


def test_a_day_is_built_from_stored_answers_only_when_complete() -> None:
    assert DiaryDay.from_answers(BASELINE_FIRST, {"headache": 1, "peak": 6, "migraine": 1, "medication": 0}) == (
        DiaryDay(BASELINE_FIRST, headache=True, peak=6, migraine=True, medication=False)
    )
    assert DiaryDay.from_answers(BASELINE_FIRST, {"headache": 0}) == DiaryDay(BASELINE_FIRST, headache=False)
    assert DiaryDay.from_answers(BASELINE_FIRST, {"headache": 1, "peak": 6}) is None


def test_a_day_without_headache_cannot_have_migraine_or_medication() -> None:
    with pytest.raises(ValueError, match="without a headache"):
        DiaryDay(BASELINE_FIRST, headache=False, migraine=True)
