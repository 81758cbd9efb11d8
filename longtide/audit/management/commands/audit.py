"""`longtide audit verify`: check the audit trail's hash chains; exit 1 at the first broken row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from longtide.audit.verify import verify_trail


class Command(BaseCommand):
    help = "Work with the audit trail."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify",
            help="recompute every chain's hashes; print each chain's head, or the first broken row and exit 1",
        )
        verify.add_argument("--chain", type=int, help="one chain only (a practice's id; 0 for events outside one)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_trail(chain=options["chain"])
        for head in result.heads:
            self.stdout.write(f"chain {head.chain}: {head.seq} rows verified up to here, head {head.hash}")
        if not result.ok:
            for broken in result.breaks:
                self.stderr.write(f"BROKEN {broken}")
            raise CommandError(f"the audit trail does not verify ({len(result.breaks)} chain(s) broken)", returncode=1)
        self.stdout.write(f"audit trail OK: {result.rows} rows in {len(result.heads)} chain(s)")
