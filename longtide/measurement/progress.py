"""What the chart, the outcomes page and the API show of one client's outcomes: per episode, per
instrument, the scores over time (with the chart geometry from outcomes/charts.py, the text table
and the plain words from outcomes/change.py), the headache diary's monthly days (only when at
least 80 % of the days are filled), and the latest PGIC. Reads only: callers decide access and
write the audit row (records/chart.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from longtide.clients.models import Client
from longtide.measurement.actions import DIARY, is_open, practice_today, session_days
from longtide.measurement.crisis import raises_self_harm
from longtide.measurement.models import DiaryEntry, Episode, PrimaryChange, QuestionnaireLink, Response
from longtide.outcomes import instruments
from longtide.outcomes.charts import Chart, ChartPoint, progress_chart
from longtide.outcomes.concerns import PLANS, Concern
from longtide.outcomes.diary import DiaryDay, MonthlyDays, NotComputable, summarize
from longtide.outcomes.instruments import pgic
from longtide.outcomes.instruments.definition import Instrument
from longtide.outcomes.measures import MHD, Measure, NoMcid, measure_of
from longtide.outcomes.progress import Progress, client_progress
from longtide.outcomes.windows import BASELINE, FOLLOW_UPS, Measurement, pick


@dataclass(frozen=True)
class Row:
    on: date
    value: float | None
    band: str
    not_scorable: str
    change: str  # the plain words against the baseline, or ""
    is_baseline: bool
    alert: str = ""  # "Self-harm answer: crisis protocol" (measurement/crisis.py), or ""


@dataclass(frozen=True)
class Series:
    instrument: Instrument
    measure: Measure | None  # None: no MCID (scores and bands only, never classified)
    chart: Chart | None
    rows: list[Row]
    baseline: float | None
    baseline_on: date | None
    latest_change: str
    responder: bool | None
    room_note: str
    decimals: int


@dataclass(frozen=True)
class DiaryView:
    last_28: MonthlyDays | NotComputable
    filled_28: int
    progress: Progress
    chart: Chart | None
    days: list[DiaryDay]


@dataclass(frozen=True)
class EpisodeView:
    episode: Episode
    concern_label: str
    is_open: bool
    sessions: list[date]
    primary_title: str
    plan_note: str
    changes: list[PrimaryChange]
    series: list[Series]
    diary: DiaryView | None
    latest_pgic: Response | None
    latest_pgic_label: str
    pgic_important: bool | None
    links: list[QuestionnaireLink] = field(default_factory=list)


def _title(instrument_id: str) -> str:
    try:
        return instruments.get(instrument_id).short_title
    except KeyError:
        return instrument_id


def _fmt(value: float | None, decimals: int) -> str:
    if value is None:
        return ""
    return f"{value:.{decimals}f}"


def series_of(instrument: Instrument, responses: list[Response], start: date) -> Series:
    by_day: dict[date, Response] = {}
    for r in responses:
        by_day[r.taken_on] = r  # the later of two on one day (ordered by pk)
    band_labels = {b.key: b.label for b in instrument.bands}
    try:
        measure: Measure | None = measure_of(instrument)
    except NoMcid:
        measure = None
    scored = [Measurement(day, r.total) for day, r in by_day.items() if r.total is not None]
    base = pick(BASELINE, scored, start=start)
    chart = None
    words: dict[date, str] = {}
    latest_change, responder, room_note = "", None, ""
    if measure is not None:
        chart = progress_chart(
            measure,
            [ChartPoint(day, r.total) for day, r in sorted(by_day.items())],
            baseline=base.value if base else None,
            baseline_on=base.taken_on if base else None,
        )
        for row in chart.rows:
            if row.change is not None:
                words[row.on] = _(row.change.wording)
        later = [r for r in chart.rows if r.change is not None]
        if later:
            change = later[-1].change
            assert change is not None
            latest_change, responder = _(change.wording), change.responder
            room_note = _(change.room_note) if change.room_note else ""
    rows = [
        Row(
            on=day,
            value=r.total,
            band=str(band_labels.get(r.band, "")),
            not_scorable=r.not_scorable,
            change=words.get(day, ""),
            is_baseline=base is not None and day == base.taken_on,
            alert=_("Self-harm answer: crisis protocol") if raises_self_harm(r.alerts) else "",
        )
        for day, r in sorted(by_day.items())
    ]
    return Series(
        instrument,
        measure,
        chart,
        rows,
        base.value if base else None,
        base.taken_on if base else None,
        latest_change,
        responder,
        room_note,
        instrument.decimals,
    )


def diary_of(episode: Episode, start: date, sessions: list[date], today: date) -> DiaryView | None:
    entries = list(DiaryEntry.objects.filter(client_id=episode.client_id).order_by("day"))
    if not entries and episode.primary_instrument != DIARY:
        return None
    days = [d for e in entries if (d := DiaryDay.from_answers(e.day, e.answers)) is not None]
    last_28 = summarize(days, last_day=today)
    progress = client_progress(MHD, start=start, sessions=sessions, diary=days)
    points = [
        ChartPoint(p.taken_on, p.value)
        for p in (progress.baseline, *progress.timepoints)
        if p.taken_on is not None and p.value is not None
    ]
    unique = {p.on: p for p in points}
    chart = None
    if unique:
        chart = progress_chart(
            MHD,
            list(unique.values()),
            baseline=progress.baseline.value,
            baseline_on=progress.baseline.taken_on if progress.baseline.value is not None else None,
        )
    filled = sum(1 for d in days if today - timedelta(days=27) <= d.day <= today)
    return DiaryView(last_28, filled, progress, chart, days)


def episode_view(episode: Episode, today: date) -> EpisodeView:
    sessions = session_days(episode)
    start = episode.opened_on
    responses = list(Response.objects.filter(episode=episode).order_by("taken_on", "pk"))
    series = []
    seen: dict[str, list[Response]] = {}
    for r in responses:
        seen.setdefault(r.instrument, []).append(r)
    for instrument_id, rows in seen.items():
        if instrument_id == "pgic":
            continue
        instrument = instruments.get(instrument_id, rows[-1].version)
        series.append(series_of(instrument, rows, start))
    pgic_rows = seen.get("pgic", [])
    latest = pgic_rows[-1] if pgic_rows else None
    label, important = "", None
    if latest is not None and latest.total is not None:
        item = instruments.get("pgic", latest.version).items[0]
        value = int(latest.total)
        option = item.option(value) if hasattr(item, "option") else None
        label = (option.label or str(value)) if option else str(value)
        important = pgic.important_improvement(value)
    concern = Concern(episode.concern)
    return EpisodeView(
        episode=episode,
        concern_label=episode.get_concern_display(),
        is_open=is_open(episode, today),
        sessions=sessions,
        primary_title=_title(episode.primary_instrument) if episode.primary_instrument else _("None chosen"),
        plan_note=_(PLANS[concern].note) if PLANS[concern].note else "",
        changes=list(episode.primary_changes.select_related("by")),
        series=series,
        diary=diary_of(episode, start, sessions, today),
        latest_pgic=latest,
        latest_pgic_label=label,
        pgic_important=important,
        links=list(
            QuestionnaireLink.objects.filter(episode=episode).select_related("response").order_by("-created_at")[:10]
        ),
    )


def client_outcomes(client: Client, today: date | None = None) -> list[EpisodeView]:
    today = today or practice_today(client.practice)
    return [episode_view(e, today) for e in Episode.objects.filter(client=client).order_by("-opened_on", "-pk")]


FOLLOW_UP_WINDOWS = FOLLOW_UPS


def has_answers(client_id: int) -> bool:
    """Whether the client has any answer or diary day to show them (their manage page's link)."""
    return (
        Response.objects.filter(client_id=client_id).exists() or DiaryEntry.objects.filter(client_id=client_id).exists()
    )
