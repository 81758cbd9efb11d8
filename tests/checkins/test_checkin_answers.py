"""The check-in form's rules (pure): every answer the client can give, and every mistake."""

from __future__ import annotations

import pytest

from longtide.checkins.effects import OTHER_MAX, Answer, check

NO_CARE = {"sought_care": "no", "contact_me": "no"}


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ({"none": "1", **NO_CARE}, Answer({}, "", False, False)),
        (
            {
                "effects": ["headache", "tiredness"],
                "severity_headache": "mild",
                "severity_tiredness": "severe",
                **NO_CARE,
            },
            Answer({"headache": "mild", "tiredness": "severe"}, "", False, False),
        ),
        (
            {"effects": "other", "severity_other": "moderate", "other": "  stiff\x00 jaw\x07 ", **NO_CARE},
            Answer({"other": "moderate"}, "stiff jaw", False, False),
        ),
        (
            {"effects": ["dizziness"], "severity_dizziness": "severe", "sought_care": "yes", "contact_me": "yes"},
            Answer({"dizziness": "severe"}, "", True, True),
        ),
        # Text about "something else" is kept only when "something else" is ticked.
        ({"none": "1", "other": "nothing really", **NO_CARE}, Answer({}, "", False, False)),
    ],
)
def test_good_answers(data: dict[str, object], answer: Answer) -> None:
    assert check(data).answer == answer and check(data).errors == {}


def test_after_effect_and_serious_are_what_the_report_counts() -> None:
    assert Answer({}, "", False, False).after_effect is False
    assert Answer({"headache": "mild"}, "", False, False).after_effect is True
    assert Answer({"headache": "mild"}, "", True, False).serious is True
    assert Answer({"headache": "mild"}, "", False, True).serious is False


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"effects", "sought_care", "contact_me"}),
        ({"effects": ["headache"], **NO_CARE}, {"severity_headache"}),
        ({"effects": ["headache"], "severity_headache": "unbearable", **NO_CARE}, {"severity_headache"}),
        ({"effects": ["rash"], "severity_rash": "mild", **NO_CARE}, {"effects"}),
        ({"effects": ["headache"], "severity_headache": "mild", "none": "1", **NO_CARE}, {"effects"}),
        ({"effects": ["other"], "severity_other": "mild", **NO_CARE}, {"other"}),
        ({"none": "1", "other": "x" * (OTHER_MAX + 1), **NO_CARE}, {"other"}),
        ({"none": "1", "sought_care": "maybe", "contact_me": "no"}, {"sought_care"}),
        ({"none": "1", "sought_care": "no", "contact_me": ["yes"]}, {"contact_me"}),
    ],
)
def test_mistakes_get_one_message_each(data: dict[str, object], errors: set[str]) -> None:
    checked = check(data)
    assert checked.answer is None and set(checked.errors) == errors
    assert all(message.endswith(".") for message in checked.errors.values())
