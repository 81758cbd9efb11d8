"""The practice outcome report's arithmetic for 10k synthetic episodes, next to a same-run floor.

    uv run python bench/outcomes_report.py                 # 10 000 episodes, 7 timed runs
    uv run python bench/outcomes_report.py --episodes 50000 --runs 5

Pure Python, no database: this measures ``longtide.outcomes.report.practice_report`` on the
``EpisodeRecord`` values the Django layer will hand it. Two cohorts:

  a) neck pain, NPRS scores (a baseline and answers near weeks 6 and 12; some missing), 4-8 sessions
     each with a check-in; windows week 6 and week 12
  b) headaches, a daily diary (28 days before the first session and days 15-84 after, with gaps);
     windows week 6 and week 12, both 28-day diary windows

Each report is timed against its floor: one plain loop over the same inputs that sums the values
the report reads (every measurement value, every diary day's headache flag, every session flag).
The ratio (report / floor) is what to compare across machines and commits; each is given for wall
time and for this process's CPU time (steadier when other processes load the machine). Runs are interleaved
(floor, report, floor, report, …) so that load from other processes hits both alike. Nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from longtide.outcomes import instruments
from longtide.outcomes.diary import DiaryDay
from longtide.outcomes.measures import MHD, Measure, measure_of
from longtide.outcomes.report import EpisodeRecord, SessionRecord, practice_report
from longtide.outcomes.windows import WEEK_6, WEEK_12, Measurement

PERIOD = (date(2026, 1, 1), date(2026, 12, 31))
AS_OF = date(2027, 6, 1)


def sessions(rng: random.Random, start: date) -> tuple[SessionRecord, ...]:
    out = []
    for n in range(rng.randint(4, 8)):
        answered = rng.random() < 0.8
        effect = answered and rng.random() < 0.2
        out.append(SessionRecord(start + timedelta(days=7 * n), answered, effect, effect and rng.random() < 0.02))
    return tuple(out)


def score_episodes(count: int, seed: int, measure: Measure) -> list[EpisodeRecord]:
    rng = random.Random(seed)
    episodes = []
    for n in range(count):
        start = PERIOD[0] + timedelta(days=rng.randrange(365))
        baseline = rng.randint(2, 10)
        measurements = [Measurement(start - timedelta(days=rng.randint(0, 7)), baseline)]
        for target in (42, 84):
            if rng.random() < 0.75:
                value = min(10, max(0, baseline + rng.randint(-5, 2)))
                measurements.append(Measurement(start + timedelta(days=target + rng.randint(-10, 10)), value))
        if rng.random() < 0.1:  # a second answer in the window: the rule must pick one
            measurements.append(Measurement(start + timedelta(days=80), rng.randint(0, 10)))
        episodes.append(EpisodeRecord(f"n{n}", start, measure, tuple(measurements), (), sessions(rng, start)))
    return episodes


def diary_episodes(count: int, seed: int) -> list[EpisodeRecord]:
    rng = random.Random(seed)
    episodes = []
    for n in range(count):
        start = PERIOD[0] + timedelta(days=rng.randrange(365))
        rate = rng.uniform(0.15, 0.6)
        later = rate * rng.uniform(0.3, 1.3)
        fill = rng.uniform(0.7, 1.0)
        days = []
        for offset in [*range(-28, 0), *range(15, 85)]:
            if rng.random() > fill:
                continue
            headache = rng.random() < (rate if offset < 0 else later)
            days.append(
                DiaryDay(
                    start + timedelta(days=offset),
                    headache=headache,
                    peak=rng.randint(2, 9) if headache else None,
                    migraine=headache and rng.random() < 0.5,
                    medication=headache and rng.random() < 0.6,
                )
            )
        episodes.append(EpisodeRecord(f"h{n}", start, MHD, (), tuple(days), sessions(rng, start)))
    return episodes


def floor(episodes: list[EpisodeRecord]) -> float:
    total = 0.0
    for episode in episodes:
        for m in episode.measurements:
            total += m.value
        for d in episode.diary:
            total += d.headache
        for s in episode.sessions:
            total += s.after_effect
    return total


def timed_ms(fn: Callable[[], object]) -> tuple[float, float]:
    """Return (wall, CPU) milliseconds of one call. On a loaded machine the CPU time of this
    process is the steadier of the two: wall time also counts waiting for a core."""
    wall, cpu = time.perf_counter_ns(), time.process_time_ns()
    fn()
    return (time.perf_counter_ns() - wall) / 1e6, (time.process_time_ns() - cpu) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (after one warm-up)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one diary report")
    args = parser.parse_args()

    print(common.machine())
    nprs = measure_of(instruments.get("nprs_pain"))
    made = time.perf_counter()
    cases = {
        "a) NPRS scores": (score_episodes(args.episodes, args.seed, nprs), nprs),
        "b) headache diary": (diary_episodes(args.episodes, args.seed), MHD),
    }
    print(f"generated {args.episodes} episodes per case in {time.perf_counter() - made:.1f} s")

    print(
        f"{'case':<20} {'episodes':>8} {'diary days':>10} {'report ms':>10} {'floor ms':>9} {'ratio':>6} "
        f"{'report CPU':>10} {'floor CPU':>9} {'ratio':>6}  headline"
    )
    for name, (episodes, measure) in cases.items():

        def report(episodes: list[EpisodeRecord] = episodes, measure: Measure = measure) -> object:
            return practice_report(episodes, measure=measure, period=PERIOD, as_of=AS_OF, windows=(WEEK_6, WEEK_12))

        def floor_of_these(episodes: list[EpisodeRecord] = episodes) -> float:
            return floor(episodes)

        report()
        floor(episodes)
        reports, floors = [], []
        for _ in range(args.runs):
            floors.append(timed_ms(floor_of_these))
            reports.append(timed_ms(report))
        result = practice_report(episodes, measure=measure, period=PERIOD, as_of=AS_OF, windows=(WEEK_6, WEEK_12))
        summary = result.headline.all_starters
        headline = (
            f"n={summary.n}, improved {summary.improved.count}, unchanged {summary.unchanged.count}, "
            f"worse {summary.worse.count}, responders {summary.responders.count}"
        )
        diary_days = sum(len(e.diary) for e in episodes)
        report_ms, floor_ms = median(r[0] for r in reports), median(f[0] for f in floors)
        report_cpu, floor_cpu = median(r[1] for r in reports), median(f[1] for f in floors)
        print(
            f"{name:<20} {len(episodes):>8} {diary_days:>10} {report_ms:>10.1f} {floor_ms:>9.1f} "
            f"{report_ms / floor_ms:>6.1f} {report_cpu:>10.1f} {floor_cpu:>9.1f} {report_cpu / floor_cpu:>6.1f}  "
            f"{headline}"
        )
    print(common.machine().replace("before the run", "after the run"))

    if args.profile:
        import cProfile
        import pstats

        episodes, _ = cases["b) headache diary"]
        profiler = cProfile.Profile()
        profiler.enable()
        practice_report(episodes, measure=MHD, period=PERIOD, as_of=AS_OF, windows=(WEEK_6, WEEK_12))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(12)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
