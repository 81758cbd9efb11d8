"""Instructions per request, booking vs the minimal view: a measure that does not move with the machine.

    uv run python bench/booking_instructions.py --database-url postgres://postgres@127.0.0.1:5432/lt_instr
    uv run python bench/booking_instructions.py --requests 300

The requests/s ratio of booking_throughput.py moves with the state of these shared machines (the
same code measured 0.27-0.31 within an hour). This runs the same two requests in-process (Django
test client, no server) and counts what they cost in units that do not move:

  * this process's instructions per request (valgrind's callgrind, instrumentation switched on for
    each phase only: seeding and warming run at near-native speed, uncounted);
  * the PostgreSQL backend's CPU per request (/proc, as booking_cpu.py; not under valgrind).

Phases: the minimal view (bench/bench_urls.py, same middleware, one query), then named bookings of
distinct free slots (booking_throughput's pool), then the minimal view again, then, after the named
bookings were deleted (uncounted), "any practitioner" bookings of the same slots, in the same order
(the 20 practitioners are candidates; the booking takes the first free in display order, mostly
the named phase's practitioner: how often is printed, with the statuses, which should all be 201).
Prints each phase's figures and the instruction ratio minimal / booking (what the requests/s ratio
would be if Python instructions were all that cost). Needs valgrind (Debian: `apt-get install
valgrind`). No timed assertions; ~2 minutes for 200 requests per phase.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

PHASES = ("minimal", "booking", "minimal again", "booking, any", "booking again")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--requests", type=int, default=200, help="requests per phase")
    parser.add_argument(
        "--keep", default=None, help="a folder to keep callgrind's dump of each phase in (callgrind_annotate)"
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args.database_url, args.requests, Path(args.child))
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("valgrind is not installed (Debian: apt-get install valgrind)")
        return 2
    with tempfile.TemporaryDirectory(prefix="longtide-instr-") as work:
        return _parent(args.database_url, args.requests, Path(work), Path(args.keep) if args.keep else None)


def _parent(database_url: str, requests: int, work: Path, keep: Path | None = None) -> int:
    """Run this script's child under callgrind; switch instrumentation on and off around each phase."""
    out = work / "callgrind.out"
    argv = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
        sys.executable,
        __file__,
        "--database-url",
        database_url,
        "--requests",
        str(requests),
        "--child",
        str(work),
    ]
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert child.stdout is not None
    counts: dict[str, int] = {}
    for line in child.stdout:
        line = line.rstrip("\n")
        if line.startswith("phase "):  # the child waits for "go" before the phase
            name = line.removeprefix("phase ")
            _control(child.pid, "--zero")
            _control(child.pid, "--instr=on")
            (work / "go").touch()
        elif line.startswith("done "):  # the child waits for "go" to be gone
            _control(child.pid, "--instr=off")
            counts[line.removeprefix("done ")] = _dump_total(child.pid, out, keep, line.removeprefix("done "))
            (work / "go").unlink()
        else:
            print(line, flush=True)
    if child.wait() != 0:
        print(f"the child failed ({child.returncode})")
        return 1
    per = {name: counts[name] / requests / 1e6 for name in counts}
    print()
    for name in PHASES:
        print(f"{name:<14} {per[name]:7.3f} M instructions per request (this process)")
    minimal = (per["minimal"] + per["minimal again"]) / 2
    print(f"instruction ratio, minimal view / booking: {minimal / per['booking']:.3f}")
    named = (per["booking"] + per["booking again"]) / 2
    print(f"any practitioner / named (the named phases before and after it): {per['booking, any'] / named:.3f}")
    return 0


def _control(pid: int, option: str) -> None:
    subprocess.run(
        ["callgrind_control", option, str(pid)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _dump_total(pid: int, out: Path, keep: Path | None = None, phase: str = "") -> int:
    """Dump callgrind's counts since the last zeroing; return their total (instructions). With
    `keep`, the dump is copied there as callgrind.<phase>.out."""
    before = set(out.parent.glob(out.name + "*"))
    _control(pid, "--dump")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        made = set(out.parent.glob(out.name + "*")) - before
        for path in made:
            text = path.read_text(errors="replace")
            # "totals" counts what was collected; "summary" (written first) may be 0 without instr-atstart
            found = re.search(r"^totals: (\d+)", text, re.MULTILINE) or re.search(
                r"^summary: (\d+)", text, re.MULTILINE
            )
            if found:
                if keep is not None:
                    keep.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, keep / f"callgrind.{phase.replace(' ', '_').replace(',', '')}.out")
                return int(found.group(1))
        time.sleep(0.1)
    raise RuntimeError("callgrind wrote no dump")


def _child(database_url: str, requests: int, work: Path) -> int:
    common.configure(database_url)
    from django.db import connection
    from django.test import Client

    from bench.booking_cpu import _backend_cpu
    from bench.booking_throughput import book_each_once, in_process_booker, undoer

    practice, summary = common.seed(days=365)
    book, pool = in_process_booker(practice)
    if len(pool) < requests + 20:
        print(f"only {len(pool)} free slots: ask for fewer requests")
        return 2
    client = Client()
    minimal = f"/bench/minimal/{practice.slug}"
    print(f"database: {common.describe_database()}; {common.machine()}; large clinic: {summary}", flush=True)
    for i in range(20):  # warm both paths (imports, prepared statements, the booking function)
        book(i)
        assert client.get(minimal).status_code == 200
    book_each_once(book, range(20, 20 + requests))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    undo = undoer()
    booked: dict[str, list[int]] = {}  # per booking phase, its practitioners, slot by slot
    for name in PHASES:
        if name.startswith("booking") and booked:  # the last booking phase's slots, free again (uncounted)
            booked[list(booked)[-1]] = undo()
        print(f"phase {name}", flush=True)
        while not (work / "go").exists():
            time.sleep(0.02)
        backend = _backend_cpu(pid)
        statuses = set()
        for index in range(20, 20 + requests):
            if name.startswith("booking"):
                statuses.add(book(index, anyone=name == "booking, any", tag=str(len(booked))))
            else:
                statuses.add(client.get(minimal).status_code)
        backend = _backend_cpu(pid) - backend
        if name.startswith("booking"):
            booked[name] = []
        print(f"done {name}", flush=True)
        while (work / "go").exists():
            time.sleep(0.02)
        print(
            f"{name}: {requests} requests, statuses {sorted(statuses)}; "
            f"PostgreSQL backend {backend * 1000 / requests:.2f} ms per request",
            flush=True,
        )
    same = sum(a == b for a, b in zip(booked["booking"], booked["booking, any"], strict=True))
    print(f"'any practitioner' booked the named phase's practitioner in {same} of {requests} slots", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
