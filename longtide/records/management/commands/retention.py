"""`longtide retention`: list the records past their retention date; `--apply` destroys them;
`hold` and `release` place and lift a legal hold (docs/records.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError
from django.utils import timezone

from longtide.clients.models import Client
from longtide.lib.retention import rule_for
from longtide.practice.models import Practice
from longtide.records.retention import Verdict, candidates, destroy, lift_holds, place_hold


class Command(BaseCommand):
    help = "Records past their retention date: list them, destroy them (--apply), or hold one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["report", "hold", "release"], default="report")
        parser.add_argument("--practice", help="one practice's slug (default: every practice)")
        parser.add_argument("--client", type=int, help="hold / release: the client's id")
        parser.add_argument("--reason", default="", help="hold: why (a claim, an order, an inquiry)")
        parser.add_argument("--apply", action="store_true", help="destroy the records listed as due")
        parser.add_argument(
            "--assume-adults",
            action="store_true",
            help="the practice sees adults only: apply the rule without the minors' age limit",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        practices = Practice.objects.order_by("slug")
        if options["practice"]:
            practices = practices.filter(slug=options["practice"])
            if not practices.exists():
                raise CommandError(f"no practice called {options['practice']!r}")
        if options["action"] in ("hold", "release"):
            self._hold(options, practices.first() if options["practice"] else None)
            return
        today = timezone.now().date()
        failed = 0
        for practice in practices:
            rule = rule_for(practice.retention_rule)
            found = candidates(practice, today=today, assume_adults=options["assume_adults"])
            self.stdout.write(f"{practice.slug}: rule {rule.key} ({rule.describe()}); {len(found)} past the date")
            for c in found:
                line = f"  client {c.client_id}: last entry {c.last_entry}, kept until {c.retain_until}: {c.verdict}"
                if c.verdict == Verdict.DUE and options["apply"]:
                    try:
                        counts = destroy(practice, c, rule_key=rule.key, now=timezone.now())
                    except ProtectedError as error:
                        failed += 1
                        line += f" — NOT destroyed: {error.args[0]}"
                    else:
                        line += f" — destroyed ({sum(counts.values())} rows)"
                self.stdout.write(line)
        if not options["apply"]:
            self.stdout.write("Nothing was destroyed (run with --apply to destroy the records marked due).")
        if failed:
            raise CommandError(f"{failed} record(s) could not be destroyed", returncode=1)

    def _hold(self, options: dict[str, Any], practice: Practice | None) -> None:
        if practice is None or options["client"] is None:
            raise CommandError("name the practice and the client: --practice SLUG --client ID")
        client = Client.objects.for_practice(practice).filter(pk=options["client"]).first()
        if client is None:
            raise CommandError(f"{practice.slug} has no client {options['client']}")
        now = timezone.now()
        if options["action"] == "hold":
            reason = " ".join(options["reason"].replace("\x00", "").split())
            if not reason:
                raise CommandError("say why the record is held: --reason TEXT")
            hold = place_hold(practice=practice, client=client, reason=reason, now=now)
            self.stdout.write(f"legal hold {hold.pk} placed on client {client.pk}")
        else:
            lifted = lift_holds(practice=practice, client=client, now=now)
            self.stdout.write(f"{lifted} legal hold(s) lifted on client {client.pk}")
