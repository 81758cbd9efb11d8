"""Public pages (home, practitioners, a practitioner, services) against a hello-world Django view.

    uv run python bench/public_pages.py                      # temporary SQLite file
    uv run python bench/public_pages.py --database-url postgres://postgres@127.0.0.1:5432/longtide_bench
    uv run python bench/public_pages.py --server sync:3 --clients 8 --rounds 6 --seconds 2

Seeds the large clinic, starts gunicorn (bench settings: DEBUG off, the bench URLconf), and with
`--clients` keep-alive client threads measures requests/s of each page and of `/bench/hello`
(a hello-world view through the same middleware: the floor) in short phases, **interleaved**
round by round (hello, home, practitioners, practitioner, services, hello, ...), so that load from
other processes hits every measurement alike. Prints each page's requests/s and its ratio to the
hello-world view's in the same run (median of the rounds), the load average before and after, and
(`--cold`) the same pages with the cache bypassed: a request carrying a session cookie renders
afresh (web/public/page_cache.py), which is what the pages cost without the cache.
No timed assertions.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET = 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_database_argument(parser)
    parser.add_argument("--server", default="sync:3", help="sync:N or gthread:NxT (default sync:3)")
    parser.add_argument("--clients", type=int, default=6, help="concurrent keep-alive client threads")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per page per round")
    parser.add_argument("--cold", action="store_true", help="also measure the pages with the cache bypassed")
    args = parser.parse_args()

    common.configure(args.database_url)
    practice, summary = common.seed(days=14)
    print(f"database: {common.describe_database()}; {common.machine()}")
    print(f"large clinic: {summary}")
    person = practice.practitioners.filter(active=True).order_by("sort_order").first()
    assert person is not None, "the large clinic has practitioners"
    slug = practice.slug
    pages: dict[str, tuple[str, dict[str, str]]] = {
        "hello-world view": ("/bench/hello", {}),
        "home": (f"/p/{slug}/", {}),
        "practitioners": (f"/p/{slug}/practitioners/", {}),
        "practitioner": (f"/p/{slug}/practitioners/{person.slug}/", {}),
        "services": (f"/p/{slug}/services/", {}),
    }
    if args.cold:
        # Django's session cookie name; an unknown session key costs one session lookup, as a visitor's would.
        cold = {"Cookie": "sessionid=bench-no-such-session"}
        for name in ("home", "practitioners", "practitioner", "services"):
            pages[f"{name} (no cache)"] = (pages[name][0], cold)

    kind, _, size = args.server.partition(":")
    workers, _, threads = size.partition("x")
    with common.gunicorn(workers=int(workers), worker_class=kind, threads=int(threads or 1)) as server:
        for path, headers in pages.values():  # warm every worker's cache and code paths
            for _ in range(int(workers) * 4):
                status, _body = _get(server.port, path, headers)
                assert status == 200, (path, status)
        rates: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(args.rounds):
            for name, (path, headers) in pages.items():
                rates[name].append(_rate(server.port, path, headers, args.clients, args.seconds))
        print(
            f"server: {server.description}; {args.clients} keep-alive clients; "
            f"{args.rounds} rounds of {args.seconds} s each"
        )
    load_after = ", ".join(f"{x:.1f}" for x in os.getloadavg())

    floor = common.median(rates["hello-world view"])
    print(f"\n{'page':32} {'req/s':>9} {'ratio':>7}   (median of rounds; ratio to the hello-world view in this run)")
    print("-" * 62)
    for name, samples in rates.items():
        rate = common.median(samples)
        print(f"{name:32} {rate:9.1f} {rate / floor:7.2f}")
    print(f"\nload average after the run: {load_after}")
    worst = min(common.median(rates[n]) for n in ("home", "practitioners", "practitioner", "services")) / floor
    print(
        f"target: every public page >= {TARGET}x the hello-world view: worst {worst:.2f}x "
        f"({'met' if worst >= TARGET else 'NOT met'})"
    )
    return 0


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    client = common.Client(port)
    try:
        return client._request("GET", path, None, headers)
    finally:
        client.close()


def _rate(port: int, path: str, headers: dict[str, str], clients: int, seconds: float) -> float:
    """Requests/s of `clients` keep-alive threads GETting `path` for `seconds`."""
    counts = [0] * clients
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        client = common.Client(port)
        try:
            while time.perf_counter() < stop:
                status, _ = client._request("GET", path, None, headers)
                if status != 200:
                    raise RuntimeError(f"{path}: {status}")
                counts[i] += 1
        finally:
            client.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


if __name__ == "__main__":
    raise SystemExit(main())
