"""Everyone's week (the staff calendar's all-practitioner week view) on the large clinic, next to a
same-run floor (bare SQL).

    uv run python bench/team_week.py                                  # temporary SQLite file
    uv run python bench/team_week.py --database-url postgres://postgres@127.0.0.1:5432/longtide_bench

Seeds the large clinic (20 practitioners, 6 rooms, about 60 % of working time booked; `--days` of
bookings, 14 by default) and takes its first full week (Monday to Sunday). Then times, interleaved
with the floor so that load from other processes hits both alike:

- `grid`: what the view computes, `team_week_sources(...)` and `build_grid(...)` (140 columns);
- `page`: the same plus rendering the calendar template to HTML;
- `floor`: the same rows fetched by hand through a bare cursor: the week's appointments joined with
  their client, service, practitioner and room, the practitioners' hours and exceptions (with their
  location's time zone, which places them), their time off (with its reason, which the page shows),
  and the practice's practitioners in order (a column each, booked or not).

The ratio is what to compare across machines and commits. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

FLOOR_SQL = [
    """SELECT a.id, a.start, a."end", a.status, a.hold_until, a.practitioner_id, a.room_id,
              c.first_name, c.last_name, s.name, p.display_name, r.name
       FROM scheduling_appointment a
       JOIN clients_client c ON c.id = a.client_id
       JOIN practice_service s ON s.id = a.service_id
       JOIN practice_practitioner p ON p.id = a.practitioner_id
       JOIN practice_room r ON r.id = a.room_id
       WHERE a.practice_id = %s AND a.start >= %s AND a.start < %s ORDER BY a.start, a.id""",
    """SELECT w.practitioner_id, w.location_id, l.time_zone, w.weekday, w.start_time, w.end_time
       FROM scheduling_workinghours w JOIN practice_practitioner p ON p.id = w.practitioner_id
       JOIN practice_location l ON l.id = w.location_id
       WHERE p.practice_id = %s""",
    """SELECT e.practitioner_id, e.location_id, l.time_zone, e.date, e.available, e.start_time, e.end_time
       FROM scheduling_hoursexception e JOIN practice_practitioner p ON p.id = e.practitioner_id
       LEFT JOIN practice_location l ON l.id = e.location_id
       WHERE p.practice_id = %s AND e.date >= %s AND e.date <= %s""",
    """SELECT t.practitioner_id, t.start, t."end", t.reason FROM scheduling_timeoff t
       JOIN practice_practitioner p ON p.id = t.practitioner_id
       WHERE p.practice_id = %s AND t.start < %s AND t."end" > %s""",
    # The columns: every practitioner of the practice in order, with or without appointments.
    """SELECT id, display_name, active FROM practice_practitioner WHERE practice_id = %s
       ORDER BY sort_order, display_name, id""",
]


def timed(run: Callable[[], object], cpu: list[float] | None = None) -> float:
    start, start_cpu = time.perf_counter(), time.process_time()
    run()
    if cpu is not None:  # this process's CPU time: steadier than the wall clock on a shared machine
        cpu.append((time.process_time() - start_cpu) * 1000)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--history-years",
        type=float,
        default=0,
        help="also copy the bookings back this many years (with --days 14, ~155 years make ~1M rows)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep the large clinic a previous run seeded (same day)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile (CPU time) of the grid and the page")
    parser.add_argument("--sort", default="tottime", help="with --profile: pstats sort key (tottime, cumulative)")
    parser.add_argument("--lines", type=int, default=20, help="with --profile: how many functions to print")
    parser.add_argument(
        "--callers", default="", help="with --profile: also print the callers of functions matching this"
    )
    args = parser.parse_args()
    common.configure(args.database_url)

    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.urls import reverse
    from django.utils import timezone
    from django_htmx.middleware import HtmxDetails

    from longtide.practice.models import Practice
    from longtide.sampledata.large_clinic import first_seed_day
    from longtide.scheduling.models import Appointment
    from longtide.web.staff.calendar import _navigation
    from longtide.web.staff.calendar_blocks import describe_columns
    from longtide.web.staff.calendar_grid import Grid, build_grid, local_midnight, practice_zone, team_week_sources

    earlier = Practice.objects.filter(slug=common.SLUG).first() if args.reuse else None
    if earlier is not None:
        practice = earlier
        summary = (
            f"reused the large clinic: {Appointment.objects.filter(practice=practice).count()} appointments in all"
        )
    else:
        practice, summary = common.seed(days=args.days, history_years=args.history_years)
    print(f"{summary} ({connection.vendor})")
    zone = practice_zone(practice)
    monday = first_seed_day()
    monday += timedelta(days=(7 - monday.weekday()) % 7)
    start, end = local_midnight(monday, zone), local_midnight(monday + timedelta(days=7), zone)
    today = timezone.now().astimezone(zone).date()
    request = RequestFactory().get(f"/staff/{practice.slug}/calendar/?view=week&by=team")
    request.user = AnonymousUser()
    request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]  # django-htmx's middleware sets it; HttpRequest's stub has no such field

    def grid() -> Grid:
        return build_grid(team_week_sources(practice, zone, monday), zone, today)

    def page() -> str:
        laid = grid()
        prefix = reverse("staff-appointment", args=[practice.slug, 0]).removesuffix("0/")
        book_url = reverse("staff-book", args=[practice.slug])
        describe_columns(laid, view="week", by="team", book_url=book_url, appointment_url_prefix=prefix)  # as the view
        context = {
            "practice": practice,
            "grid": laid,
            "zone_name": str(zone),
            "appointment_url_prefix": prefix,
            **_navigation(
                practice, view="week", by="team", day=monday, today=today, practitioner=None, room=None, own=None
            ),
        }
        return render_to_string("web/staff/calendar.html#calendar", context, request=request)

    def floor() -> int:
        rows = 0
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL[0], [practice.pk, start, end])
            rows += len(cursor.fetchall())
            cursor.execute(FLOOR_SQL[1], [practice.pk])
            rows += len(cursor.fetchall())
            cursor.execute(FLOOR_SQL[2], [practice.pk, monday - timedelta(days=1), monday + timedelta(days=7)])
            rows += len(cursor.fetchall())
            cursor.execute(FLOOR_SQL[3], [practice.pk, end, start])
            rows += len(cursor.fetchall())
            cursor.execute(FLOOR_SQL[4], [practice.pk])
            rows += len(cursor.fetchall())
        return rows

    week = Appointment.objects.filter(practice=practice, start__gte=start, start__lt=end).count()
    laid = build_grid(team_week_sources(practice, zone, monday), zone, today)
    html = page()
    print(f"week of {monday}: {week} appointments, {len(laid.columns)} columns, page {len(html) // 1024} KiB")
    for _ in range(3):
        floor(), grid(), page()
    if args.profile:
        import cProfile
        import pstats
        import time as clock

        for what, fn in (("grid", grid), ("page", page)):
            profiler = cProfile.Profile(clock.process_time)
            profiler.enable()
            for _ in range(10):
                fn()
            profiler.disable()
            print(f"\ncProfile (CPU time) of 10 x {what}")
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(args.lines)
            if args.callers:
                stats.print_callers(args.callers)
        return
    floors, grids, pages = [], [], []
    cpus: dict[str, list[float]] = {"floor": [], "grid": [], "page": []}
    for _ in range(args.runs):
        floors.append(timed(floor, cpus["floor"]))
        grids.append(timed(grid, cpus["grid"]))
        pages.append(timed(page, cpus["page"]))
    f, g, p = median(floors), median(grids), median(pages)
    print(f"{'what':8} {'median ms':>10} {'x floor':>8} {'CPU ms':>8}")
    print(f"{'floor':8} {f:10.2f} {1:8.2f} {median(cpus['floor']):8.2f}")
    print(f"{'grid':8} {g:10.2f} {g / f:8.2f} {median(cpus['grid']):8.2f}")
    print(f"{'page':8} {p:10.2f} {p / f:8.2f} {median(cpus['page']):8.2f}")


if __name__ == "__main__":
    main()
