"""Answers that do not fit an instrument are bad input with a message per item, never a score."""

import math
from typing import Any

import pytest

from longtide.outcomes import instruments
from longtide.outcomes.scoring import InvalidAnswers, alerts, score, validate


def problems(instrument_id: str, answers: dict[str, Any]) -> dict[str, str]:
    return {key: message.render() for key, message in validate(instruments.get(instrument_id), answers).items()}


def test_an_unknown_question_is_refused() -> None:
    assert problems("gad7", {"q8": 1}) == {"q8": "This is not a question of this questionnaire."}


@pytest.mark.parametrize("value", [4, -1, 1.0, "2", True, 10**20])
def test_a_value_that_is_not_an_option_is_refused(value: object) -> None:
    assert problems("gad7", {"q1": value}) == {"q1": "Choose one of the answers offered."}


def test_not_applicable_is_only_an_option_where_the_instrument_offers_it() -> None:
    assert problems("spadi", {"q1": -1}) == {}
    assert problems("jfls8", {"q1": -1}) == {"q1": "Choose one of the answers offered."}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (91, "Enter a number from 0 to 90."),
        (-1, "Enter a number from 0 to 90."),
        (2.5, "Enter a whole number."),
        (math.nan, "Enter a number."),
        (math.inf, "Enter a number."),
        ("3", "Enter a number."),
        (False, "Enter a number."),
    ],
)
def test_a_number_outside_its_range_or_kind_is_refused(value: object, message: str) -> None:
    assert problems("midas", {"q1": value}) == {"q1": message}


def test_hours_may_be_fractional_where_the_item_allows_it() -> None:
    assert problems("psqi", {"hours_asleep": 6.5}) == {}


def test_free_text_is_checked_for_length_and_control_characters() -> None:
    assert problems("psfs", {"activity1_name": "walking the dog 🐕 à l'étage"}) == {}
    assert problems("psfs", {"activity1_name": "x" * 201}) == {
        "activity1_name": "Keep this to 200 characters or fewer."
    }
    assert problems("psfs", {"activity1_name": "walk\x00ing"}) == {
        "activity1_name": "Remove the control characters from this answer."
    }
    assert problems("psfs", {"activity1_name": 5}) == {"activity1_name": "Enter text."}


def test_an_answer_to_a_question_that_was_not_asked_is_refused() -> None:
    assert problems("headache_diary", {"headache": 0, "migraine": 1}) == {
        "migraine": "This question only applies after a different earlier answer; leave it empty."
    }


def test_score_raises_with_every_problem() -> None:
    with pytest.raises(InvalidAnswers) as raised:
        score(instruments.get("gad7"), {"q1": 9, "q2": "x", "zz": 1})
    assert set(raised.value.problems) == {"q1", "q2", "zz"}


def test_alerts_work_on_partial_and_even_invalid_answers() -> None:
    phq9 = instruments.get("phq9")
    assert [a.item for a in alerts(phq9, {"q9": 3})] == ["q9"]
    assert alerts(phq9, {"q9": 0}) == ()
    assert alerts(phq9, {"q9": "3"}) == ()  # not an option: the form refuses it first
    assert [a.item for a in alerts(phq9, {"q1": 99, "q9": 1})] == ["q9"]
