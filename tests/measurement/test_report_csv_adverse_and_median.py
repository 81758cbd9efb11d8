"""The outcome report's CSV (the export shared outside the practice) carries what the page shows:
the after-effects of every session (sessions, check-ins answered, sessions with an after-effect,
serious events) and each window's median change with its interquartile range, with the export's
small cells hidden (outcomes/report.py). A median or quartile sits among the categories' counts (its
position tells how many changes lie on each side of a threshold), so it is shown only beside
improved, unchanged and worse all shown."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.outcomes import wording

pytestmark = pytest.mark.django_db

CSV = "/staff/tidewater/reports/outcomes.csv?concern=neck_back_pain&from=2026-01-01&to=2026-03-31"


def _rows(cast: Cast) -> list[list[str]]:
    web = HttpClient()
    web.force_login(cast.olga_user)
    exported = web.get(CSV)
    assert exported.status_code == 200
    return list(csv.reader(io.StringIO(exported.content.decode())))


MEDIANS = ["window", "analysis", "median change", "lower quartile", "upper quartile", "n"]
ADVERSE = ["after-effects", "count", "of", "share", "ci95_low", "ci95_high"]


def _section(rows: list[list[str]], header: list[str]) -> dict[str, list[str]]:
    """The rows under `header`, up to the next empty row, by their first cell (for the medians: the
    window's first 7 letters and the analysis' first 3)."""
    assert rows.count(header) == 1
    section = {}
    for row in rows[rows.index(header) + 1 :]:
        if not row:
            break
        assert len(row) == len(header)
        section[row[0] if header == ADVERSE else f"{row[0][:7]} {row[1][:3]}"] = row[1:]
    return section


def test_the_csv_export_carries_adverse_events_and_median_change(cast: Cast, neck_cohort: dict[str, Any]) -> None:
    web = HttpClient()
    web.force_login(cast.olga_user)
    exported = web.get(CSV)
    assert exported.status_code == 200
    text = exported.content.decode().lower()
    assert "after-effect" in text or "after effect" in text or "adverse" in text
    assert "median" in text
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    # The page's figures (tests/measurement/test_report_page.py): 62 sessions, 53 check-ins answered,
    # 12 of 53 with an after-effect (22.6 %, 13.5 % to 35.5 %), 1 serious: under 5, hidden.
    adverse = _section(rows, ADVERSE)
    assert adverse["Sessions"] == ["62", "", "", "", ""]
    assert adverse["Check-ins answered"] == ["53", "62", "", "", ""]  # counts, as on the page
    assert adverse["Sessions with an after-effect reported (of answered check-ins)"] == [
        "12",
        "53",
        "0.2264",
        "0.1345",
        "0.3553",
    ]
    assert adverse["Needed medical care afterwards (serious)"] == [wording.SUPPRESSED_LABEL, "", "", "", ""]
    # Each window has a small improved or worse count (week 6: 2 improved, 0 worse; week 12: 2 worse),
    # so no median or quartile is shown: each would bound the hidden counts.
    medians = _section(rows, MEDIANS)
    assert set(medians) == {"Week 6  All", "Week 6  Cli", "Week 12 All", "Week 12 Cli"}
    for row in medians.values():
        assert row[1:4] == ["hidden", "", ""], row
    assert wording.banned_wording("\n".join(",".join(r) for r in rows)) == []


def _add_worse(cast: Cast, names: tuple[str, ...], start: date, base: int, week_12: int) -> None:
    from longtide.clients.models import Client
    from longtide.measurement.models import Episode, Response
    from longtide.outcomes import instruments

    nprs = instruments.get("nprs_pain")
    for name in names:
        client = Client.objects.create(
            practice=cast.tidewater, first_name=name, last_name="Fixture", email=f"{name.lower()}@example.test"
        )
        episode = Episode.objects.create(
            practice=cast.tidewater,
            client=client,
            concern="neck_back_pain",
            primary_instrument="nprs_pain",
            opened_on=start,
        )
        for offset, value, timepoint in ((-3, base, "baseline"), (42, base, "week_6"), (84, week_12, "week_12")):
            Response.objects.create(
                practice=cast.tidewater,
                client=client,
                episode=episode,
                instrument="nprs_pain",
                version=nprs.version,
                content_hash=nprs.content_hash(),
                timepoint=timepoint,
                answers={"rating": value},
                total=float(value),
                taken_on=start + timedelta(days=offset),
                submitted_at=timezone.now(),
            )


def test_a_window_whose_categories_are_all_shown_exports_its_median_and_iqr(
    cast: Cast, neck_cohort: dict[str, Any]
) -> None:
    # Three more clients 3 -> 3 -> 6: week 12 worse is now 5 (E07, E13 and these), improved 6,
    # unchanged 6, n 17. All starters' changes, sorted:
    # -4 -4 -3 -3 -2 -2 -2 0 0 0 0 1 2 2 3 3 3: median (9th) 0; Q1 at 4: -2; Q3 at 12: 2.
    _add_worse(cast, ("W1", "W2", "W3"), date(2026, 2, 2), 3, 6)
    rows = _rows(cast)
    medians = _section(rows, MEDIANS)
    assert medians["Week 12 All"][1:] == ["0", "-2", "2", "17"]
    # the completers' n is the follow-up count, hidden with the 3 missing: no median
    assert medians["Week 12 Cli"][1:4] == ["hidden", "", ""]
    # week 6: improved 2 and worse 0 are small
    assert medians["Week 6  All"][1:4] == ["hidden", "", ""]
