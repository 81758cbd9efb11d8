"""Hand-worked scoring examples for every shipped instrument, including answers that must come out
"not scorable". The arithmetic is written out in each test so that a reader can check it by hand."""

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import pytest

from longtide.outcomes import instruments
from longtide.outcomes.instruments.definition import NOT_APPLICABLE
from longtide.outcomes.instruments.pgic import important_improvement
from longtide.outcomes.scoring import InvalidAnswers, NotScorable, Scored, score


def scored(instrument_id: str, answers: dict[str, Any]) -> Scored:
    result = score(instruments.get(instrument_id), answers)
    assert isinstance(result, Scored), getattr(result, "message", result)
    return result


def band_key(result: Scored) -> str:
    assert result.band is not None, result
    return result.band.key


def not_scorable(instrument_id: str, answers: dict[str, Any]) -> NotScorable:
    result = score(instruments.get(instrument_id), answers)
    assert isinstance(result, NotScorable), result
    return result


def items(prefix: str, *values: int | None) -> dict[str, int | None]:
    return {f"{prefix}{n}": value for n, value in enumerate(values, start=1)}


# --- NPRS and the 0-10 ratings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "band"),
    [(0, "none"), (1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe")],
)
def test_nprs_pain_is_the_rating_with_its_band(rating: int, band: str) -> None:
    result = scored("nprs_pain", {"rating": rating})
    assert result.total == rating
    assert result.band is not None
    assert band_key(result) == band


def test_nprs_without_a_rating_is_not_scorable() -> None:
    result = not_scorable("nprs_pain", {})
    assert result.missing == ("rating",)
    assert "rating" in result.message


@pytest.mark.parametrize("instrument_id", ["nprs_jaw", "nrs_sleep_quality", "nrs_fatigue"])
def test_the_other_zero_to_ten_ratings_score_their_rating(instrument_id: str) -> None:
    assert scored(instrument_id, {"rating": 6}).total == 6
    not_scorable(instrument_id, {"rating": None})


def test_sleep_and_fatigue_ratings_have_no_bands_of_their_own() -> None:
    assert scored("nrs_sleep_quality", {"rating": 8}).band is None
    assert scored("nrs_fatigue", {"rating": 8}).band is None


# --- PGIC ------------------------------------------------------------------------------------


def test_pgic_is_the_category_and_much_or_very_much_improved_is_important() -> None:
    assert scored("pgic", {"change": 2}).total == 2
    assert [value for value in range(1, 8) if important_improvement(value)] == [1, 2]


# --- PSFS ------------------------------------------------------------------------------------


def test_psfs_is_the_mean_of_the_rated_activities_and_tracks_each() -> None:
    # (3 + 5 + 4) / 3 = 4.0
    result = scored(
        "psfs",
        {"activity1_name": "lifting my child", "activity1": 3, "activity2": 5, "activity3": 4},
    )
    assert result.total == 4.0
    assert result.subscale("activity1").value == 3
    assert result.subscale("activity3").value == 4
    assert result.subscale("activity4").value is None


def test_psfs_with_five_activities() -> None:
    # (3 + 5 + 4 + 6 + 7) / 5 = 25 / 5 = 5.0
    assert scored("psfs", items("activity", 3, 5, 4, 6, 7)).total == 5.0


def test_psfs_with_fewer_than_three_rated_activities_is_not_scorable() -> None:
    result = not_scorable("psfs", items("activity", 3, 5))
    assert result.params == {"answered": 2, "needed": 3}


# --- GAD-7 -----------------------------------------------------------------------------------


def test_gad7_is_the_sum_with_its_band() -> None:
    # 2 + 1 + 3 + 0 + 1 + 2 + 1 = 10 -> moderate (10-14)
    result = scored("gad7", items("q", 2, 1, 3, 0, 1, 2, 1))
    assert result.total == 10
    assert band_key(result) == "moderate"


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (14, "moderate"), (15, "severe"), (21, "severe")],
)
def test_gad7_band_edges(total: int, band: str) -> None:
    values = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    values += [0] * (7 - len(values))
    assert band_key(scored("gad7", items("q", *values))) == band


def test_gad7_with_one_answer_missing_is_not_scorable() -> None:
    result = not_scorable("gad7", items("q", 2, 1, None, 0, 1, 2, 1))
    assert result.missing == ("q3",)


# --- PHQ-4 -----------------------------------------------------------------------------------


def test_phq4_total_and_its_two_screens() -> None:
    # GAD-2 = q1 + q2 = 2 + 1 = 3 (positive, >= 3); PHQ-2 = q3 + q4 = 1 + 1 = 2 (negative);
    # total 5 -> mild (3-5)
    result = scored("phq4", items("q", 2, 1, 1, 1))
    assert result.total == 5
    assert band_key(result) == "mild"
    assert result.subscale("gad2").value == 3
    assert result.subscale("gad2").positive_screen is True
    assert result.subscale("phq2").value == 2
    assert result.subscale("phq2").positive_screen is False


@pytest.mark.parametrize(
    ("total", "band"), [(2, "normal"), (3, "mild"), (6, "moderate"), (8, "moderate"), (9, "severe"), (12, "severe")]
)
def test_phq4_band_edges(total: int, band: str) -> None:
    values = [min(3, max(0, total - 3 * n)) for n in range(4)]
    assert band_key(scored("phq4", items("q", *values))) == band


def test_phq4_with_a_depression_item_missing_still_screens_anxiety() -> None:
    result = not_scorable("phq4", items("q", 2, 2, 1, None))
    assert result.subscale("gad2").value == 4
    assert result.subscale("gad2").positive_screen is True
    assert result.subscale("phq2").value is None


# --- PHQ-9 -----------------------------------------------------------------------------------


def test_phq9_sums_nine_items_and_raises_no_alert_when_item_9_is_zero() -> None:
    # eight items at 1 and item 9 at 0: 8 -> mild (5-9)
    result = scored("phq9", items("q", 1, 1, 1, 1, 1, 1, 1, 1, 0))
    assert result.total == 8
    assert band_key(result) == "mild"
    assert result.alerts == ()


def test_phq9_item_9_above_zero_raises_the_self_harm_alert() -> None:
    result = scored("phq9", items("q", 0, 0, 0, 0, 0, 0, 0, 0, 1))
    assert [(alert.kind, alert.item) for alert in result.alerts] == [("self_harm", "q9")]


def test_phq9_self_harm_alert_is_raised_even_when_not_scorable() -> None:
    result = not_scorable("phq9", items("q", None, 0, 0, 0, 0, 0, 0, 0, 2))
    assert [alert.item for alert in result.alerts] == ["q9"]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (4, "minimal"),
        (5, "mild"),
        (10, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
    ],
)
def test_phq9_band_edges(total: int, band: str) -> None:
    values = [min(3, max(0, total - 3 * n)) for n in range(8)] + [0]
    assert band_key(scored("phq9", items("q", *values))) == band


# --- SPADI -----------------------------------------------------------------------------------

SPADI_PAIN = [8, 6, 7, 5, 4]  # sum 30
SPADI_DISABILITY = [5, 6, 4, 3, 2, 7, 8, 5]  # sum 40


def test_spadi_pain_disability_and_total() -> None:
    # pain 30 / 50 x 100 = 60; disability 40 / 80 x 100 = 50; total 70 / 130 x 100 = 53.846...
    result = scored("spadi", items("q", *SPADI_PAIN, *SPADI_DISABILITY))
    assert result.subscale("pain").value == 60.0
    assert result.subscale("disability").value == 50.0
    assert result.total == pytest.approx(float(Fraction(700, 13)))


def test_spadi_drops_not_applicable_and_unanswered_items_from_the_denominator() -> None:
    # q2 "does not apply", q7 unanswered.
    # pain: 8 + 7 + 5 + 4 = 24 over 4 items -> 24 / 40 x 100 = 60.0
    # disability: 5 + 4 + 3 + 2 + 7 + 8 + 5 = 34 over 7 items -> 34 / 70 x 100 = 48.571...
    # total: 58 over 11 items -> 58 / 110 x 100 = 52.727...
    answers = items("q", *SPADI_PAIN, *SPADI_DISABILITY)
    answers["q2"] = NOT_APPLICABLE
    answers["q7"] = None
    result = scored("spadi", answers)
    assert result.subscale("pain").value == 60.0
    assert result.subscale("disability").value == pytest.approx(float(Fraction(3400, 70)))
    assert result.total == pytest.approx(float(Fraction(5800, 110)))
    assert result.missing == ("q2", "q7")


def test_spadi_with_three_items_missing_or_not_applicable_is_not_scorable_at_all() -> None:
    answers = items("q", *SPADI_PAIN, *SPADI_DISABILITY)
    answers.update(q2=NOT_APPLICABLE, q7=None, q13=None)
    result = not_scorable("spadi", answers)
    assert result.params == {"missing": 3, "allowed": 2}
    assert result.subscale("pain").value is None
    assert result.subscale("disability").value is None


# --- JFLS-8 ----------------------------------------------------------------------------------


def test_jfls8_is_the_mean_of_all_eight() -> None:
    # (2 + 4 + 0 + 3 + 1 + 5 + 2 + 3) / 8 = 20 / 8 = 2.5
    assert scored("jfls8", items("q", 2, 4, 0, 3, 1, 5, 2, 3)).total == 2.5


def test_jfls8_with_two_missing_is_the_mean_of_the_six_answered() -> None:
    # (2 + 4 + 3 + 5 + 2 + 3) / 6 = 19 / 6
    result = scored("jfls8", items("q", 2, 4, None, 3, None, 5, 2, 3))
    assert result.total == pytest.approx(19 / 6)


def test_jfls8_with_three_missing_is_not_scorable() -> None:
    result = not_scorable("jfls8", items("q", 2, None, None, 3, None, 5, 2, 3))
    assert result.params == {"missing": 3, "items": 8, "allowed": 2}


# --- Menstrual pain record -------------------------------------------------------------------


def test_menstrual_record_scores_worst_pain_and_keeps_the_day_counts() -> None:
    result = scored("menstrual_pain", {"worst_pain": 6, "pain_days": 3, "missed_days": 1})
    assert result.total == 6
    assert band_key(result) == "moderate"
    assert result.subscale("pain_days").value == 3
    assert result.subscale("missed_days").value == 1


def test_menstrual_record_refuses_more_missed_days_than_days_with_pain() -> None:
    with pytest.raises(InvalidAnswers) as raised:
        score(instruments.get("menstrual_pain"), {"worst_pain": 6, "pain_days": 3, "missed_days": 4})
    assert set(raised.value.problems) == {"missed_days"}


def test_menstrual_record_without_worst_pain_is_not_scorable() -> None:
    not_scorable("menstrual_pain", {"pain_days": 3, "missed_days": 1})


# --- Headache diary (one day) ----------------------------------------------------------------


def test_a_diary_day_with_a_migraine_counts_as_headache_and_migraine_day() -> None:
    result = scored("headache_diary", {"headache": 1, "peak": 6, "migraine": 1, "medication": 0})
    assert result.total == 1
    assert result.subscale("migraine_day").value == 1
    assert result.subscale("medication_day").value == 0
    assert result.subscale("control_day").value == 1


def test_a_moderate_headache_without_migraine_features_counts_towards_ihs_control_days() -> None:
    # IHS 2025 counts days "with migraine or moderate-to-severe headache": peak >= 4.
    assert (
        scored("headache_diary", {"headache": 1, "peak": 4, "migraine": 0, "medication": 1})
        .subscale("control_day")
        .value
        == 1
    )
    assert (
        scored("headache_diary", {"headache": 1, "peak": 3, "migraine": 0, "medication": 1})
        .subscale("control_day")
        .value
        == 0
    )


def test_a_diary_day_without_headache_needs_no_other_answer() -> None:
    result = scored("headache_diary", {"headache": 0})
    assert result.total == 0
    assert result.subscale("migraine_day").value == 0
    assert result.subscale("medication_day").value == 0


def test_a_diary_day_without_headache_refuses_a_peak() -> None:
    with pytest.raises(InvalidAnswers) as raised:
        score(instruments.get("headache_diary"), {"headache": 0, "peak": 3})
    assert set(raised.value.problems) == {"peak"}


def test_an_incomplete_headache_day_is_not_scorable() -> None:
    result = not_scorable("headache_diary", {"headache": 1, "peak": 6})
    assert result.missing == ("migraine", "medication")


# --- HIT-6 (licensed: scoring only) ------------------------------------------------------------


def test_hit6_scores_6_8_10_11_13_and_sums() -> None:
    # values 3, 4, 2, 5, 1, 3 -> 10 + 11 + 8 + 13 + 6 + 10 = 58 -> substantial (56-59)
    result = scored("hit6", items("q", 3, 4, 2, 5, 1, 3))
    assert result.total == 58
    assert band_key(result) == "substantial"


@pytest.mark.parametrize(("value", "total", "band"), [(1, 36, "little"), (5, 78, "severe")])
def test_hit6_range_ends(value: int, total: int, band: str) -> None:
    result = scored("hit6", items("q", *[value] * 6))
    assert (result.total, band_key(result)) == (total, band)


@pytest.mark.parametrize(
    ("total", "band"),
    [(49, "little"), (50, "some"), (55, "some"), (56, "substantial"), (59, "substantial"), (60, "severe")],
)
def test_hit6_band_edges(total: int, band: str) -> None:
    # Build answers whose points sum to ``total`` from 6 (never) and the steps 8, 10, 11, 13.
    points_to_value = {6: 1, 8: 2, 10: 3, 11: 4, 13: 5}
    for combo in _hit6_combinations(total):
        result = scored("hit6", items("q", *[points_to_value[p] for p in combo]))
        assert result.total == total
        assert band_key(result) == band
        return
    pytest.fail(f"no HIT-6 answers sum to {total}")


def _hit6_combinations(total: int) -> Iterator[tuple[int, ...]]:
    from itertools import combinations_with_replacement

    for combo in combinations_with_replacement((6, 8, 10, 11, 13), 6):
        if sum(combo) == total:
            yield combo


def test_hit6_with_a_missing_answer_is_not_scorable() -> None:
    not_scorable("hit6", items("q", 3, 4, None, 5, 1, 3))


# --- MIDAS -----------------------------------------------------------------------------------


def test_midas_sums_five_day_counts_into_a_grade() -> None:
    # 3 + 2 + 4 + 1 + 2 = 12 -> grade III (11-20)
    result = scored("midas", items("q", 3, 2, 4, 1, 2))
    assert result.total == 12
    assert band_key(result) == "III"


@pytest.mark.parametrize(
    ("total", "grade"), [(0, "I"), (5, "I"), (6, "II"), (10, "II"), (11, "III"), (20, "III"), (21, "IV"), (270, "IV")]
)
def test_midas_grade_edges(total: int, grade: str) -> None:
    counts = [min(90, max(0, total - 90 * n)) for n in range(3)]
    answers = {"q1": counts[0], "q2": 0, "q3": counts[1], "q4": 0, "q5": counts[2]}
    assert band_key(scored("midas", answers)) == grade


def test_midas_refuses_more_work_days_than_there_are_days() -> None:
    with pytest.raises(InvalidAnswers):
        score(instruments.get("midas"), items("q", 60, 40, 0, 0, 0))


def test_midas_with_a_missing_count_is_not_scorable() -> None:
    not_scorable("midas", items("q", 3, None, 4, 1, 2))


# --- NDI -------------------------------------------------------------------------------------

NDI = [2, 3, 1, 2, 0, 4, 2, 1, 3, 2]  # sum 20


def test_ndi_is_the_sum_of_ten_sections() -> None:
    result = scored("ndi", items("q", *NDI))
    assert result.total == 20
    assert band_key(result) == "moderate"


def test_ndi_prorates_one_missing_section() -> None:
    # q5 (0) missing: 20 over 9 sections -> 20 x 10 / 9 = 22.22...
    answers = items("q", *NDI)
    answers["q5"] = None
    assert scored("ndi", answers).total == pytest.approx(200 / 9)


def test_ndi_with_two_missing_sections_is_not_scorable() -> None:
    answers = items("q", *NDI)
    answers.update(q5=None, q6=None)
    not_scorable("ndi", answers)


@pytest.mark.parametrize(
    ("total", "band"),
    [(4, "none"), (5, "mild"), (14, "mild"), (15, "moderate"), (25, "severe"), (34, "severe"), (35, "complete")],
)
def test_ndi_band_edges(total: int, band: str) -> None:
    values = [min(5, max(0, total - 5 * n)) for n in range(10)]
    assert band_key(scored("ndi", items("q", *values))) == band


# --- ODI 2.1a --------------------------------------------------------------------------------

ODI = [3, 2, 2, 1, 4, 2, 3, 1, 0, 2]  # sum 20


def test_odi_is_the_sum_over_fifty_as_a_percentage() -> None:
    # 20 / (5 x 10) x 100 = 40
    assert scored("odi", items("q", *ODI)).total == 40.0


def test_odi_with_one_section_missing_uses_the_answered_sections() -> None:
    # q9 (0) missing: 20 / (5 x 9) x 100 = 44.44...
    answers = items("q", *ODI)
    answers["q9"] = None
    assert scored("odi", answers).total == pytest.approx(400 / 9)


def test_odi_with_two_sections_missing_is_not_scorable() -> None:
    answers = items("q", *ODI)
    answers.update(q9=None, q10=None)
    not_scorable("odi", answers)


# --- PSS-10 ----------------------------------------------------------------------------------


def test_pss10_reverses_items_4_5_7_8() -> None:
    # answers 2, 3, 1, 3, 1, 2, 1, 2, 3, 2; reversed: q4 3 -> 1, q5 1 -> 3, q7 1 -> 3, q8 2 -> 2
    # 2 + 3 + 1 + 1 + 3 + 2 + 3 + 2 + 3 + 2 = 22
    assert scored("pss10", items("q", 2, 3, 1, 3, 1, 2, 1, 2, 3, 2)).total == 22


def test_pss10_range_ends() -> None:
    # all 0: the four reversed items score 4 each -> 16; all 4: six items x 4 = 24
    assert scored("pss10", items("q", *[0] * 10)).total == 16
    assert scored("pss10", items("q", *[4] * 10)).total == 24
    assert scored("pss10", items("q", 0, 0, 0, 4, 4, 0, 4, 4, 0, 0)).total == 0
    assert scored("pss10", items("q", 4, 4, 4, 0, 0, 4, 0, 0, 4, 4)).total == 40


def test_pss10_with_a_missing_answer_is_not_scorable() -> None:
    not_scorable("pss10", items("q", 2, 3, 1, 3, 1, 2, None, 2, 3, 2))


# --- ISI -------------------------------------------------------------------------------------


def test_isi_sums_seven_items_into_a_band() -> None:
    # 3 + 2 + 2 + 3 + 2 + 1 + 2 = 15 -> moderate (15-21)
    result = scored("isi", items("q", 3, 2, 2, 3, 2, 1, 2))
    assert result.total == 15
    assert band_key(result) == "moderate"


@pytest.mark.parametrize(
    ("total", "band"), [(7, "none"), (8, "subthreshold"), (14, "subthreshold"), (21, "moderate"), (22, "severe")]
)
def test_isi_band_edges(total: int, band: str) -> None:
    values = [min(4, max(0, total - 4 * n)) for n in range(7)]
    assert band_key(scored("isi", items("q", *values))) == band


# --- PSQI ------------------------------------------------------------------------------------

PSQI = {
    "bedtime": 23 * 60,  # 23:00
    "minutes_to_sleep": 40,
    "wake_time": 6 * 60 + 30,  # 06:30
    "hours_asleep": 6.0,
    "q5a": 2,
    "q5b": 1,
    "q5c": 2,
    "q5d": 0,
    "q5e": 1,
    "q5f": 0,
    "q5g": 1,
    "q5h": 2,
    "q5i": 0,
    "q5j": 0,
    "q6": 2,
    "q7": 0,
    "q8": 1,
    "q9": 2,
}


def test_psqi_components_and_global_score() -> None:
    # C1 quality = q6 = 2
    # C2 latency: 40 min -> 2, + q5a 2 = 4 -> 2
    # C3 duration: 6.0 h (6 <= h < 7) -> 1
    # C4 efficiency: in bed 23:00 -> 06:30 = 7.5 h; 6 / 7.5 = 80 % (75-84) -> 1
    # C5 disturbances: q5b..q5j = 1+2+0+1+0+1+2+0+0 = 7 (1-9) -> 1
    # C6 medication = q7 = 0
    # C7 daytime: q8 + q9 = 3 (3-4) -> 2
    # global 2 + 2 + 1 + 1 + 1 + 0 + 2 = 9 -> poor (> 5)
    result = scored("psqi", PSQI)
    assert [result.subscale(f"c{n}").value for n in range(1, 8)] == [2, 2, 1, 1, 1, 0, 2]
    assert result.total == 9
    assert band_key(result) == "poor"


def test_psqi_other_disturbance_left_empty_counts_as_none() -> None:
    answers = dict(PSQI, q5j=None)
    assert scored("psqi", answers).total == 9


def test_psqi_with_a_component_missing_is_not_scorable() -> None:
    result = not_scorable("psqi", dict(PSQI, hours_asleep=None))
    assert result.subscale("c3").value is None
    assert result.subscale("c4").value is None
    assert result.subscale("c1").value == 2


def test_psqi_more_hours_asleep_than_in_bed_is_not_scorable() -> None:
    result = not_scorable("psqi", dict(PSQI, hours_asleep=9.0))
    assert result.subscale("c4").value is None


# --- FIQR ------------------------------------------------------------------------------------


def test_fiqr_weights_its_three_domains() -> None:
    # function 5+4+6+3+2+7+5+4+3 = 39 / 3 = 13; overall 6 + 5 = 11; symptoms
    # 6+7+5+4+8+3+6+5+7+4 = 55 / 2 = 27.5; total 13 + 11 + 27.5 = 51.5
    answers = items("q", 5, 4, 6, 3, 2, 7, 5, 4, 3, 6, 5, 6, 7, 5, 4, 8, 3, 6, 5, 7, 4)
    result = scored("fiqr", answers)
    assert result.subscale("function").value == 13
    assert result.subscale("overall").value == 11
    assert result.subscale("symptoms").value == 27.5
    assert result.total == 51.5


def test_fiqr_with_a_missing_answer_is_not_scorable() -> None:
    answers = items("q", *[5] * 21)
    answers["q12"] = None
    not_scorable("fiqr", answers)


# --- FSS -------------------------------------------------------------------------------------


def test_fss_is_the_mean_of_nine_items() -> None:
    # (4 + 5 + 3 + 6 + 4 + 5 + 6 + 2 + 4) / 9 = 39 / 9 = 4.33 -> fatigue (>= 4)
    result = scored("fss", items("q", 4, 5, 3, 6, 4, 5, 6, 2, 4))
    assert result.total == pytest.approx(39 / 9)
    assert band_key(result) == "fatigue"
    assert band_key(scored("fss", items("q", *[3] * 9))) == "below"


def test_fss_with_a_missing_answer_is_not_scorable() -> None:
    not_scorable("fss", items("q", 4, 5, 3, 6, None, 5, 6, 2, 4))
