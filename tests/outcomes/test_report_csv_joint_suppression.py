"""The owner's CSV of the neck cohort (tests/measurement/conftest.py, the rows of
tests/outcomes/test_report.py): the reviewer's subtraction no longer works, and a number hidden
only to protect another is labelled "hidden", not "fewer than 5"."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from conftest import Cast
from longtide.outcomes import wording
from tests.measurement.conftest import neck_cohort  # noqa: F401
from tests.measurement.test_report_page import Q1, _owner

pytestmark = pytest.mark.django_db

SMALL = wording.SUPPRESSED_LABEL
HIDDEN = "hidden"


def _csv(cast: Cast) -> list[list[str]]:
    response = _owner(cast).get("/staff/tidewater/reports/outcomes.csv" + Q1)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def _cells(rows: list[list[str]]) -> dict[tuple[str, str, str], tuple[str, str]]:
    return {
        (r[0][:7], "all" if r[1].startswith("All") else "comp", r[2].split()[0]): (r[3], r[4])
        for r in rows
        if len(r) == 8 and r[0].startswith("Week")
    }


def test_the_reviewers_subtraction_finds_nothing(cast: Cast, neck_cohort: dict[str, Any]) -> None:  # noqa: F811
    rows = _csv(cast)
    cells = _cells(rows)
    followed = {r[0]: r[1] for r in rows if r and r[0].startswith("with week")}
    # 11 answered at week 12 and 3 missing: the 3 is small, the 11 hidden to protect it, and the
    # completers' n, which is that very 11, with it
    assert followed["with week_12 follow-up"] == HIDDEN
    for category in ("Improved", "Within", "Worse", "Responders"):
        assert cells[("Week 12", "comp", category)][1] == HIDDEN
    assert cells[("Week 12", "all", "Within")] == ("6", "14")
    # worse (2) is small; improved (6) and responders (5) hidden only so that it cannot be worked out
    assert cells[("Week 12", "all", "Worse")][0] == SMALL
    assert cells[("Week 12", "all", "Improved")][0] == HIDDEN
    assert cells[("Week 12", "all", "Responders")][0] == HIDDEN
    assert cells[("Week 12", "comp", "Improved")][0] == HIDDEN
    assert cells[("Week 12", "comp", "Worse")][0] == SMALL
    # every number shown is 5 or more
    for count, n in cells.values():
        for value in (count, n):
            assert value in (SMALL, HIDDEN) or int(value) >= 5, (count, n)


def test_the_started_total_says_why_it_is_hidden(cast: Cast, neck_cohort: dict[str, Any]) -> None:  # noqa: F811
    rows = _csv(cast)
    # 15 started, 14 with a baseline: the 1 without is small, so the 15 is hidden to protect it
    assert ["started", HIDDEN, "with baseline", "14"] in rows
    assert rows[0] == [wording.CAVEAT_TITLE]
    assert [r[0] for r in rows[1 : 1 + len(wording.CAVEAT)]] == list(wording.CAVEAT)
    assert wording.banned_wording("\n".join(",".join(r) for r in rows)) == []
