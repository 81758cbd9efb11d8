"""`longtide token create|list|revoke`: staff API tokens (docs/api-staff.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from longtide.practice.models import Practice
from longtide.tokens.issue import DEFAULT_DAYS, TokenRefused, create_token, member_for, revoke_token
from longtide.tokens.models import StaffToken


class Command(BaseCommand):
    help = "Staff API tokens: create (printed once), list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="make a token for a member; it is printed once and stored hashed")
        create.add_argument("--practice", required=True, help="the practice's slug")
        create.add_argument("--user", help="the member's username (default: the practice's only owner)")
        create.add_argument("--expires", type=int, default=DEFAULT_DAYS, help=f"days (default {DEFAULT_DAYS})")
        create.add_argument("--name", default="", help="what the token is for")
        listing = sub.add_parser("list", help="the practice's tokens (never the tokens themselves)")
        listing.add_argument("--practice", required=True)
        revoke = sub.add_parser("revoke", help="stop a token from working, by its prefix (from `token list`)")
        revoke.add_argument("--practice", required=True)
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        practice = Practice.objects.filter(slug=options["practice"]).first()
        if practice is None:
            raise CommandError(f"no practice called {options['practice']!r}")
        now = timezone.now()
        try:
            if options["subcommand"] == "create":
                user = member_for(practice, options["user"])
                issued = create_token(
                    practice=practice, user=user, days=options["expires"], name=options["name"], now=now
                )
                self.stdout.write(issued.token)
                self.stderr.write(
                    f"Token {issued.row.prefix}… for {user.get_username()} at {practice.slug}, expires "
                    f"{issued.row.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only now: keep it in a secret store. "
                    "Use it as `Authorization: Bearer <token>`."
                )
            elif options["subcommand"] == "list":
                for row in StaffToken.objects.filter(practice=practice).select_related("user"):
                    state = "revoked" if row.revoked_at else ("expired" if row.expires_at <= now else "live")
                    used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
                    self.stdout.write(
                        f"{row.prefix}\t{row.user.get_username()}\t{state}\texpires {row.expires_at:%Y-%m-%d}\t"
                        f"last used {used}\t{row.name}"
                    )
            else:
                row = revoke_token(practice=practice, prefix=options["prefix"], now=now)
                self.stdout.write(f"revoked {row.prefix} ({row.user.get_username()})")
        except TokenRefused as refused:
            raise CommandError(refused.message) from None
