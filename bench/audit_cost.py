"""What the audit trail costs a chart view, measured against the same view without auditing, in one run.

    uv run python bench/audit_cost.py                       # temporary SQLite file
    uv run python bench/audit_cost.py --database-url postgres://postgres@127.0.0.1:5432/longtide_bench

Seeds the large clinic and gives it an owner, then opens one client's chart page
(`/staff/<practice>/clients/<id>/chart/`, through Django's test client: middleware, the view, the
template) round by round, interleaved:

- **audited**: as served — each opening writes its audit row (`records.chart.open_chart` →
  `audit.trail.record`: lock the practice's chain, read its head, hash, insert), in the view's
  transaction;
- **not audited**: the same request with `record` replaced by a no-op, so only the row is missing.

`--trail` rows are written first so the chain is not empty (its head lookup and the unique index
carry a clinic's worth of rows). Prints the median and 90th percentile of each, the difference per
view in milliseconds, and the ratio. Nothing here asserts a time; the issue asks that the audit row
add at most a few milliseconds to a chart view.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_database_argument(parser)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--trail", type=int, default=5000, help="audit rows written before timing")
    parser.add_argument("--days", type=int, default=30, help="days of bookings in the large clinic")
    args = parser.parse_args()
    common.configure(args.database_url)
    practice, summary = common.seed(days=args.days)

    from django.contrib.auth.models import User
    from django.db import transaction
    from django.test import Client as HttpClient

    from longtide.audit.models import Action, AuditEvent
    from longtide.audit.trail import Actor, Origin, record
    from longtide.practice.models import Role, StaffMembership
    from longtide.records import chart as chart_module
    from longtide.scheduling.models import Appointment

    owner, _ = User.objects.get_or_create(username="bench-owner", defaults={"email": "owner@bench.test"})
    StaffMembership.objects.get_or_create(practice=practice, user=owner, defaults={"role": Role.OWNER})
    client_id = Appointment.objects.filter(practice=practice).values_list("client_id", flat=True).first()
    actor = Actor(owner, "owner", Origin("127.0.0.1", "bench"))
    for n in range(args.trail):
        with transaction.atomic():
            record(
                by=actor,
                action=Action.VIEW,
                object_type="chart",
                practice_id=practice.pk,
                client_id=client_id,
                object_id=n,
                basis="owner",
            )
    browser = HttpClient(HTTP_HOST="localhost")
    browser.force_login(owner)
    path = f"/staff/{practice.slug}/clients/{client_id}/chart/"

    def audited() -> None:
        assert browser.get(path).status_code == 200

    def not_audited() -> None:
        with mock.patch.object(chart_module, "record", return_value=None):
            assert browser.get(path).status_code == 200

    before = AuditEvent.objects.count()
    for _ in range(5):  # warm up
        audited()
        not_audited()
    took, base = [], []
    for _ in range(args.runs):
        base.append(common.timed(not_audited))
        took.append(common.timed(audited))
    written = AuditEvent.objects.count() - before
    assert written == args.runs + 5, written  # one row per audited view, none for the others
    print(f"{common.machine()}; {common.describe_database()}")
    print(f"large clinic: {summary}; {args.trail} audit rows before timing; {args.runs} rounds")
    for name, samples in (("not audited", base), ("audited", took)):
        print(f"{name:12} median {common.median(samples):7.2f} ms  p90 {common.percentile(samples, 90):7.2f} ms")
    extra, ratio = common.median(took) - common.median(base), common.median(took) / common.median(base)
    print(f"audit row adds {extra:5.2f} ms per chart view (median), ratio {ratio:4.2f}")


if __name__ == "__main__":
    main()
