"""Python bytecodes per booking, named / "any practitioner" / named, on the same slots: exact, by function.

    uv run python bench/booking_bytecodes.py --database-url postgres://postgres@127.0.0.1:5432/lt_bytecodes
    uv run python bench/booking_bytecodes.py --bookings 100 --top 30
    uv run python bench/booking_bytecodes.py --heaviest 40     # also: where a named booking's bytecodes go

Wall and CPU time move with these shared machines; a count of the bytecodes run does not. This
seeds the large clinic (20 practitioners, all candidates) and books the same free slots of the
pool over the JSON API with the Django test client (no server) three times: named, then "any
practitioner", then named again (ABA: drift over the run would show as the two named phases
differing). After each booking its appointment is deleted (uncounted), so that every booking finds
the clinic as it was; each has a client of its own. Each bytecode the bookings run is counted per
code object with sys.monitoring (INSTRUCTION events, switched on around each booking only).

Prints the bytecodes per booking of each phase, "any" over the named mean, and the functions whose
counts differ most (what an "any practitioner" booking runs that a named one does not); with
`--heaviest N`, the N functions a named booking spends most of its own bytecodes in (the test
client's share among them: Client.request, Signal.connect). Bytecodes
are not instructions: C work (psycopg's parameters and rows, allocation) is not in them; see
booking_instructions.py for callgrind's count. No timed assertions; ~1 minute for the defaults.
"""

from __future__ import annotations

import argparse
import sys
import sysconfig
from collections import Counter
from pathlib import Path
from types import CodeType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

PHASES = (("named", False), ("any", True), ("named again", False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--bookings", type=int, default=100, help="bookings per phase (the same slots each)")
    parser.add_argument("--top", type=int, default=20, help="functions to list")
    parser.add_argument("--heaviest", type=int, default=0, help="also list the functions a named booking runs most")
    parser.add_argument(
        "--lines", default="", help="also list, line by line, the functions of this name (e.g. _read_ahead)"
    )
    args = parser.parse_args()
    common.configure(args.database_url)

    from bench.booking_throughput import book_each_once, in_process_booker, undoer

    practice, summary = common.seed(days=365)
    book, pool = in_process_booker(practice)
    warm = 20
    if len(pool) < warm + args.bookings:
        print(f"only {len(pool)} free slots: ask for fewer bookings")
        return 2
    print(f"database: {common.describe_database()}; {common.machine()}; large clinic: {summary}", flush=True)
    undo = undoer()

    for index in range(warm):  # imports, prepared statements, the setup kept: both paths
        book(index, tag="wn")
        undo()
        book(index, anyone=True, tag="wa")
        undo()
    book_each_once(book, range(warm, warm + args.bookings))

    monitoring = sys.monitoring
    tool = monitoring.PROFILER_ID
    counts: Counter[tuple[CodeType, int]] = Counter()

    def count(code: CodeType, offset: int) -> None:
        counts[code, offset] += 1

    monitoring.use_tool_id(tool, "booking_bytecodes")
    monitoring.register_callback(tool, monitoring.events.INSTRUCTION, count)
    per: dict[str, Counter[tuple[str, int, str]]] = {}
    by_line: dict[str, Counter[tuple[str, int]]] = {}
    practitioners: dict[str, list[list[int]]] = {}
    statuses: dict[str, set[int]] = {}
    try:
        for phase, anyone in PHASES:
            counts.clear()
            statuses[phase], practitioners[phase] = set(), []
            for index in range(warm, warm + args.bookings):
                monitoring.set_events(tool, monitoring.events.INSTRUCTION)
                status = book(index, anyone=anyone, tag=phase[0] + str(len(per)))
                monitoring.set_events(tool, 0)
                statuses[phase].add(status)
                practitioners[phase].append(undo())
            per[phase] = Counter()
            by_line[phase] = Counter()
            for (code, offset), n in counts.items():
                per[phase][code.co_filename, code.co_firstlineno, code.co_qualname] += n / args.bookings
                if args.lines and code.co_name == args.lines:
                    by_line[phase][code.co_qualname, _line_of(code, offset)] += n / args.bookings
    finally:
        monitoring.set_events(tool, 0)
        monitoring.register_callback(tool, monitoring.events.INSTRUCTION, None)
        monitoring.free_tool_id(tool)

    same = sum(a == b for a, b in zip(practitioners["named"], practitioners["any"], strict=True))
    print(f"{args.bookings} bookings per phase, the same slots; statuses: {statuses}")
    print(f"'any practitioner' booked the named phase's practitioner in {same} of {args.bookings} slots")
    print()
    totals = {phase: sum(per[phase].values()) for phase, _ in PHASES}
    for phase, _ in PHASES:
        print(f"{phase:<12} {totals[phase]:10,.0f} bytecodes per booking")
    named = (totals["named"] + totals["named again"]) / 2
    print(f"any - named: {totals['any'] - named:+,.0f} bytecodes per booking; any / named: {totals['any'] / named:.4f}")
    print()
    print(f"the {args.top} functions whose counts differ most (any - the named mean, per booking):")
    rows = []
    for key in set().union(*per.values()):
        mean = (per["named"].get(key, 0) + per["named again"].get(key, 0)) / 2
        rows.append((per["any"].get(key, 0) - mean, mean, per["any"].get(key, 0), key))
    rows.sort(key=lambda row: -abs(row[0]))
    for difference, mean, anyone_, (filename, line, name) in rows[: args.top]:
        print(f"{difference:+8.1f}  named {mean:8.1f}  any {anyone_:8.1f}  {name} ({Path(filename).name}:{line})")
    if args.heaviest:
        print()
        print(f"the {args.heaviest} functions a named booking runs most bytecodes in (their own, per booking):")
        heaviest = sorted(rows, key=lambda row: -row[1])[: args.heaviest]
        for _difference, mean, _anyone, (filename, line, name) in heaviest:
            print(f"named {mean:8.1f}  {name} ({_short(filename)}:{line})")
    if args.lines:
        print()
        print(f"{args.lines}, line by line (any - the named mean, per booking):")
        lines = sorted(set().union(*by_line.values()), key=lambda key: key[1])
        for name, line in lines:
            mean = (by_line["named"][name, line] + by_line["named again"][name, line]) / 2
            counted = by_line["any"][name, line]
            print(f"{counted - mean:+8.1f}  named {mean:8.1f}  any {counted:8.1f}  {name}:{line}")
    return 0


def _short(filename: str) -> str:
    """A code object's file, from the installed packages', the project's or the standard library's root."""
    for root in ("site-packages/", f"{common.ROOT}/", f"{sysconfig.get_path('stdlib')}/"):
        if root in filename:
            return filename.split(root, 1)[1]
    return Path(filename).name


def _line_of(code: CodeType, offset: int) -> int:
    """The source line of the bytecode at `offset` in `code` (0 when it has none)."""
    for start, end, line in code.co_lines():
        if start <= offset < end:
            return line or 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
