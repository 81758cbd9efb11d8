"""An exported report hides small cells jointly: no hidden cell can be worked out from the shown ones.

The reviewer's attack on the neck cohort (tests/outcomes/test_report.py) at week 12: all starters
count a missing follow-up as no change, so their improved and worse equal the completers'; the
completers' n is the follow-up count; so missing = 14 - 11 = 3 and worse = 11 - 6 - (6 - 3) = 2,
both hidden and both recovered. Here an attacker with interval arithmetic over the report's own
identities (written independently of the report's code) tries every cell of random cohorts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from longtide.outcomes import instruments
from longtide.outcomes.measures import measure_of
from longtide.outcomes.report import (
    ChangeSummary,
    CohortReport,
    Count,
    EpisodeRecord,
    SessionRecord,
    practice_report,
)
from longtide.outcomes.windows import WEEK_6, WEEK_12, Measurement
from tests.outcomes.test_report import NECK, Q1_2026, parse

NPRS = measure_of(instruments.get("nprs_pain"))
BIG = 10**6
AS_OF = date(2026, 9, 1)  # every window of the quarter has closed


def export(episodes: list[EpisodeRecord], exported: bool = True, as_of: date = AS_OF) -> CohortReport:
    return practice_report(
        episodes, measure=NPRS, period=Q1_2026, as_of=as_of, windows=(WEEK_6, WEEK_12), exported=exported
    )


# --- The reviewer's cohort ------------------------------------------------------------------------


def test_the_completers_n_is_hidden_with_the_follow_up_count_it_equals() -> None:
    w12 = export(parse(NECK)).window("week_12")
    assert w12.missing.suppressed and w12.followed.suppressed  # 3 and 11
    assert w12.completers.n is None
    for count in (w12.completers.improved, w12.completers.unchanged, w12.completers.worse):
        assert count.n is None and count.share is None and count.low is None and count.high is None
    assert w12.completers.median_change is None and w12.completers.quartiles is None


def test_starters_and_completers_hide_improved_and_worse_together() -> None:
    w12 = export(parse(NECK)).window("week_12")
    everyone, completers = w12.all_starters, w12.completers
    # worse 2: hidden (small); improved 6 hidden so that 14 - 6 - 2 cannot be read off
    assert everyone.worse.suppressed and not everyone.worse.protects
    assert everyone.improved.suppressed and everyone.improved.protects
    # the completers' improved and worse are the very same numbers
    assert completers.improved.suppressed and completers.worse.suppressed
    assert completers.improved.protects and not completers.worse.protects


def test_responders_are_hidden_whenever_improved_is() -> None:
    w12 = export(parse(NECK)).window("week_12")
    for summary in (w12.all_starters, w12.completers):
        assert summary.improved.suppressed
        assert summary.responders.suppressed and summary.responders.count is None
        assert summary.responders.protects  # 5 responders: hidden only to protect improved


def test_week_6_hides_enough_that_missing_is_not_unchanged_minus_unchanged() -> None:
    # week 6: missing 3 (E05 E12 E14); all starters unchanged 12, completers unchanged 9
    w6 = export(parse(NECK)).window("week_6")
    assert w6.missing.suppressed
    shown = [c.count for c in (w6.all_starters.unchanged, w6.completers.unchanged)]
    assert None in shown


def test_the_unexported_report_hides_nothing() -> None:
    report = export(parse(NECK), exported=False)
    w12 = report.window("week_12")
    assert (w12.completers.n, w12.all_starters.improved.count, w12.all_starters.responders.count) == (11, 6, 5)
    assert not any(c.protects for c in (w12.all_starters.improved, w12.followed, w12.missing))


# --- The attacker ---------------------------------------------------------------------------------


@dataclass
class Attack:
    """Interval bounds on every number, narrowed by linear identities (coefficients +-1) to a fixpoint."""

    low: dict[str, int] = field(default_factory=dict)
    high: dict[str, int] = field(default_factory=dict)
    equal: list[list[tuple[int, str]]] = field(default_factory=list)  # sum(c * x) == 0
    at_most: list[list[tuple[int, str]]] = field(default_factory=list)  # sum(c * x) <= 0

    def var(self, name: str, low: int = 0, high: int = BIG) -> None:
        self.low[name] = max(self.low.get(name, 0), low)
        self.high[name] = min(self.high.get(name, BIG), high)

    def count(self, name: str, count: Count) -> None:
        """What an export's Count tells: its number, or the label's promise (under 5 / 5 or more)."""
        if count.count is not None:
            self.var(name, count.count, count.count)
        elif count.protects:
            self.var(name, 5)
        else:
            self.var(name, 0, 4)

    def total(self, name: str, value: int | None) -> None:
        self.var(name) if value is None else self.var(name, value, value)

    def sum_is(self, total: str, *parts: str) -> None:
        self.equal.append([(1, total), *((-1, p) for p in parts)])

    def same(self, a: str, b: str) -> None:
        self.sum_is(a, b)

    def le(self, small: str, large: str) -> None:
        self.at_most.append([(1, small), (-1, large)])

    def solve(self) -> None:
        for _ in range(2000):
            changed = False
            for terms, is_equal in [(t, True) for t in self.equal] + [(t, False) for t in self.at_most]:
                for i, (coef, name) in enumerate(terms):
                    others = [t for j, t in enumerate(terms) if j != i]
                    # coef * x = -sum(others) (or <=)
                    lo = sum(-c * (self.high[n] if c > 0 else self.low[n]) for c, n in others)
                    hi = sum(-c * (self.low[n] if c > 0 else self.high[n]) for c, n in others)
                    new_low, new_high = self.low[name], self.high[name]
                    if coef > 0:
                        new_high = min(new_high, hi)
                        new_low = max(new_low, lo) if is_equal else new_low
                    else:
                        new_low = max(new_low, -hi)
                        new_high = min(new_high, -lo) if is_equal else new_high
                    new_low, new_high = max(new_low, 0), min(new_high, BIG)
                    if (new_low, new_high) != (self.low[name], self.high[name]):
                        self.low[name], self.high[name] = new_low, new_high
                        changed = True
                    assert new_low <= new_high, f"the true numbers break the identities at {name}"
            if not changed:
                return

    def pinned(self, name: str) -> bool:
        return self.low[name] == self.high[name]


def attack(shared: CohortReport, full: CohortReport) -> tuple[Attack, dict[str, int], dict[str, Count], set[str]]:
    """Build the attacker's system from an export; return it, the true numbers, the shown Counts by
    name and the names of never-shown small numbers the rules protect."""
    a = Attack()
    truth: dict[str, int] = {}
    counts: dict[str, Count] = {}
    protected: set[str] = set()

    def known_count(name: str, count: Count, true: Count) -> None:
        a.count(name, count)
        counts[name] = count
        truth[name] = true.count or 0

    def total(name: str, value: int | None, true: int | None) -> None:
        a.total(name, value)
        truth[name] = true or 0

    def implicit(name: str, value: int) -> None:
        a.var(name)
        truth[name] = value
        if value < 5:
            protected.add(name)

    total("started", shared.n_started, full.n_started)
    total("baseline", shared.n_with_baseline, full.n_with_baseline)
    implicit("no_baseline", (full.n_started or 0) - (full.n_with_baseline or 0))
    a.sum_is("started", "baseline", "no_baseline")

    for w, fw in zip(shared.windows, full.windows, strict=True):
        k = w.window.key
        total(f"{k}.n", w.n, fw.n)
        a.same(f"{k}.n", "baseline")  # an export waits for every window: all of the cohort is due
        assert w.not_yet_due == 0
        known_count(f"{k}.followed", w.followed, fw.followed)
        known_count(f"{k}.missing", w.missing, fw.missing)
        a.sum_is(f"{k}.n", f"{k}.followed", f"{k}.missing")
        for count_name in ("followed", "missing"):
            count = getattr(w, count_name)
            if count.n is not None:
                a.total(f"{k}.{count_name}.n", count.n)
                truth[f"{k}.{count_name}.n"] = fw.n or 0
                a.same(f"{k}.{count_name}.n", f"{k}.n")
        for group, s, fs in (("all", w.all_starters, fw.all_starters), ("comp", w.completers, fw.completers)):
            g = f"{k}.{group}"
            total(f"{g}.n", s.n, fs.n)
            if s.counts_only:
                a.var(f"{g}.n", 0, 9)
            else:
                a.var(f"{g}.n", 10)
            for part in ("improved", "unchanged", "worse", "responders"):
                known_count(f"{g}.{part}", getattr(s, part), getattr(fs, part))
                count = getattr(s, part)
                assert count.n in (None, s.n), "a Count's n is its analysis's n"
                if count.share is not None:
                    assert count.count is not None and count.n is not None, "a share reveals count and n"
            a.sum_is(f"{g}.n", f"{g}.improved", f"{g}.unchanged", f"{g}.worse")
            a.le(f"{g}.responders", f"{g}.improved")
            implicit(f"{g}.non_responders", (fs.n or 0) - (fs.responders.count or 0))
            a.sum_is(f"{g}.n", f"{g}.responders", f"{g}.non_responders")
            total(f"{g}.no_room", s.no_room, fs.no_room)
            implicit(f"{g}.with_room", (fs.n or 0) - (fs.no_room or 0))
            a.sum_is(f"{g}.n", f"{g}.no_room", f"{g}.with_room")
            a.le(f"{g}.responders", f"{g}.with_room")
            # (the median and quartiles come with n only: checked below)
            if s.n is None:
                assert s.median_change is None and s.quartiles is None
        # all starters against completers
        a.same(f"{k}.all.n", f"{k}.n")
        a.same(f"{k}.comp.n", f"{k}.followed")
        a.same(f"{k}.all.improved", f"{k}.comp.improved")
        a.same(f"{k}.all.worse", f"{k}.comp.worse")
        a.sum_is(f"{k}.all.unchanged", f"{k}.comp.unchanged", f"{k}.missing")
        a.same(f"{k}.all.responders", f"{k}.comp.responders")
        a.le(f"{k}.comp.no_room", f"{k}.all.no_room")
        implicit(f"{k}.missing_no_room", (fw.all_starters.no_room or 0) - (fw.completers.no_room or 0))
        protected.discard(f"{k}.missing_no_room")  # not a number the report speaks of
        a.sum_is(f"{k}.all.no_room", f"{k}.comp.no_room", f"{k}.missing_no_room")
        a.le(f"{k}.missing_no_room", f"{k}.missing")

    ad, fad = shared.adverse, full.adverse
    total("sessions", ad.sessions, fad.sessions)
    known_count("checkins", ad.checkins_answered, fad.checkins_answered)
    known_count("effects", ad.after_effects, fad.after_effects)
    known_count("serious", ad.serious, fad.serious)
    if ad.checkins_answered.n is not None:
        a.total("checkins.n", ad.checkins_answered.n)
        truth["checkins.n"] = fad.sessions or 0
        a.same("checkins.n", "sessions")
    if ad.after_effects.n is not None:
        a.total("effects.n", ad.after_effects.n)
        truth["effects.n"] = fad.checkins_answered.count or 0
        a.same("effects.n", "checkins")
    implicit("unanswered", (fad.sessions or 0) - (fad.checkins_answered.count or 0))
    implicit("no_effect", (fad.checkins_answered.count or 0) - (fad.after_effects.count or 0))
    implicit("not_serious", (fad.after_effects.count or 0) - (fad.serious.count or 0))
    a.sum_is("sessions", "checkins", "unanswered")
    a.sum_is("checkins", "effects", "no_effect")
    a.sum_is("effects", "serious", "not_serious")
    return a, truth, counts, protected


def check_export(episodes: list[EpisodeRecord]) -> None:
    full, shared = export(episodes, exported=False), export(episodes)
    a, truth, counts, protected = attack(shared, full)
    for name, value in truth.items():  # the truth is one solution: the attacker's bounds hold it
        assert a.low[name] <= value <= a.high[name], name
    a.solve()
    for name, value in truth.items():
        assert a.low[name] <= value <= a.high[name], name
    for name, count in counts.items():
        if count.suppressed:
            assert count.count is None and count.share is None and count.low is None and count.high is None
            # the label is honest: "fewer than 5" is under 5, "hidden" is 5 or more
            assert (truth[name] >= 5) == count.protects, (name, truth[name], count.protects)
            assert not a.pinned(name), f"hidden {name} = {truth[name]} can be worked out"
        else:
            assert not count.protects
            assert count.count is not None and count.count >= 5, f"{name} = {count.count} shown"
    for name in protected:
        assert not a.pinned(name), f"never shown {name} = {truth[name]} can be worked out"
    for total in (shared.n_started, shared.n_with_baseline, shared.adverse.sessions):
        assert total is None or total >= 5
    for w in shared.windows:
        for s in (w.all_starters, w.completers):
            if s.no_room is not None:
                assert s.no_room >= 5
            if s.n is not None:
                assert s.n >= 5


def test_the_attacker_recovers_the_reviewers_cells_without_joint_suppression() -> None:
    """The attacker is strong enough: on the full report of the neck cohort, with its small cells
    blanked one by one and nothing else, it works missing and worse out."""
    full = export(parse(NECK), exported=False)
    a, _truth, _counts, _protected = attack(full, full)
    for name in ("week_12.missing", "week_12.all.worse", "week_12.comp.worse"):
        a.low[name], a.high[name] = 0, 4
    a.solve()
    assert a.pinned("week_12.missing") and a.low["week_12.missing"] == 3
    assert a.pinned("week_12.all.worse") and a.low["week_12.all.worse"] == 2


def test_the_neck_export_gives_nothing_away() -> None:
    check_export(parse(NECK))


@st.composite
def cohorts(draw: st.DrawFn) -> list[EpisodeRecord]:
    size = draw(st.integers(0, 45))
    # a few baseline levels and change profiles, so that small and large cells both turn up
    base_pool = draw(st.lists(st.integers(0, 10), min_size=1, max_size=4))
    delta_pool = draw(st.lists(st.integers(-6, 4), min_size=1, max_size=4))
    p_wk6 = draw(st.sampled_from([0.0, 0.5, 0.8, 0.95, 1.0]))
    p_wk12 = draw(st.sampled_from([0.0, 0.5, 0.8, 0.95, 1.0]))
    out = []
    for n in range(size):
        start = Q1_2026[0] + timedelta(days=draw(st.integers(0, 89)))
        measurements: list[Measurement] = []
        base = draw(st.sampled_from(base_pool))
        if draw(st.integers(0, 19)) > 0:  # now and then no baseline
            measurements.append(Measurement(start - timedelta(days=3), base))
        for target, p in ((42, p_wk6), (84, p_wk12)):
            if draw(st.floats(0, 1)) < p:
                value = min(10, max(0, base + draw(st.sampled_from(delta_pool))))
                measurements.append(Measurement(start + timedelta(days=target), value))
        sessions = tuple(
            SessionRecord(start + timedelta(days=7 * i), answered, answered and effect, answered and effect and serious)
            for i, (answered, effect, serious) in enumerate(
                draw(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), max_size=5))
            )
        )
        out.append(EpisodeRecord(f"e{n}", start, NPRS, tuple(measurements), (), sessions))
    return out


@settings(max_examples=300, deadline=None)
@given(cohort=cohorts())
def test_no_hidden_cell_of_a_random_cohort_can_be_worked_out(cohort: list[EpisodeRecord]) -> None:
    check_export(cohort)


def test_an_empty_cohort_exports_nothing_to_work_out() -> None:
    check_export([])


def test_summaries_expose_their_protecting_cells() -> None:
    # a ChangeSummary's n hidden only to protect another cell is marked so (for the CSV's label)
    w12 = export(parse(NECK)).window("week_12")
    assert isinstance(w12.completers, ChangeSummary)
    assert w12.completers.n_protects and not w12.all_starters.n_protects
    assert w12.followed.protects and not w12.missing.protects
