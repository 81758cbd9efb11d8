"""The demo's synthetic outcome cohort: labelled, not flattering (improved, unchanged, worse and
missing follow-ups all present), idempotent, and readable on the demo owner's report page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from longtide.clients.models import Client
from longtide.measurement.models import DiaryEntry, Episode, Response
from longtide.measurement.report import Filters, cohort_report
from longtide.outcomes import wording
from longtide.outcomes.concerns import Concern
from longtide.sampledata.demo import remove_demo, seed_demo
from longtide.sampledata.demo_outcomes import LABEL

pytestmark = pytest.mark.django_db


def test_the_cohort_is_labelled_mixed_and_seeded_once() -> None:
    practice = seed_demo()
    episodes = Episode.objects.filter(practice=practice)
    assert episodes.count() == 22
    assert set(Client.objects.filter(episodes__isnull=False).values_list("last_name", flat=True)) == {LABEL}
    today = timezone.now().astimezone(practice.locations.get().zone).date()
    report = cohort_report(
        practice,
        Filters(Concern.NECK_BACK_PAIN, today - timedelta(days=365), today),
        as_of=today,
    )
    assert report is not None
    week_12 = report.window("week_12")
    summary = week_12.all_starters
    assert summary.improved.count and summary.worse.count and summary.unchanged.count
    assert week_12.missing.count and week_12.missing.count >= 3
    assert report.n_started is not None and report.n_with_baseline is not None
    assert report.n_started > report.n_with_baseline  # one started without a baseline
    counts = (Response.objects.count(), DiaryEntry.objects.count())
    seed_demo()
    assert (Episode.objects.count(), Response.objects.count(), DiaryEntry.objects.count()) == (22, *counts)
    remove_demo()
    assert (Episode.objects.count(), Response.objects.count(), DiaryEntry.objects.count()) == (0, 0, 0)


def test_the_demo_owner_reads_the_report_without_banned_wording() -> None:
    from django.contrib.auth import get_user_model

    seed_demo()
    web = HttpClient()
    web.force_login(get_user_model().objects.get(username="owner"))
    for concern in ("neck_back_pain", "headache"):
        page = web.get(f"/staff/demo/reports/outcomes/?concern={concern}")
        assert page.status_code == 200
        assert wording.banned_wording(re.sub(r"<[^>]+>", " ", page.text)) == []
        assert wording.CAVEAT_TITLE in page.text
