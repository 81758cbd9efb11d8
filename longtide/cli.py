"""The `longtide` command: demo, serve, worker, migrate, practice create, seed-large and a manage passthrough."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path


def _setup(production: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longtide.settings")
    if production:
        os.environ["LONGTIDE_PRODUCTION"] = "1"
    import django

    django.setup()
    from django.conf import settings

    # A bare clone has no data folder yet: SQLite, uploads and collected static files live there.
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)


def demo(args: argparse.Namespace) -> int:
    """Migrate, seed the demo clinic and serve it with the production server (gunicorn) and a worker."""
    os.environ.setdefault("PUBLIC_BASE_URL", f"http://{args.host}:{args.port}")
    # The clinic's own error pages, not Django's debug pages; DEBUG=1 brings those back.
    os.environ.setdefault("DEBUG", "0")
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import OperationalError, connection, transaction

    from longtide.sampledata.demo import (
        DEMO_LOGINS,
        DEMO_PASSWORD,
        DEMO_SLUG,
        DemoAccountsTaken,
        NotTheDemo,
        remove_demo,
        seed_demo,
    )

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        name = settings.DATABASES["default"]["NAME"]
        print(f"longtide: cannot open the database {name!r} ({str(exc).strip()})", file=sys.stderr)
        print("Check DATABASE_URL; for PostgreSQL, create the database first (createdb NAME).", file=sys.stderr)
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    try:
        with transaction.atomic():  # a refused seed undoes the reset too
            if args.reset:
                remove_demo()
            practice = seed_demo()
    except (DemoAccountsTaken, NotTheDemo) as exc:
        print(f"longtide demo: {exc}", file=sys.stderr)
        return 3
    base = f"http://{args.host}:{args.port}"
    db = settings.DATABASES["default"]
    print(f"\nLongtide demo clinic: {practice.name}")
    print(f"  Database:     {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    print(f"  Public site:  {base}/p/{DEMO_SLUG}/")
    print(f"  Book online:  {base}/p/{DEMO_SLUG}/book/")
    print(f"  Staff login:  {base}/staff/login/")
    print(f"  Settings:     {base}/staff/{DEMO_SLUG}/settings/  (sign in as owner)")
    print(f"  Admin:        {base}/admin/")
    print(f"  API:          {base}/api/v1/p/{DEMO_SLUG}/  (OpenAPI: {base}/api/v1/openapi.json)")
    print(f"  Demo logins (password '{DEMO_PASSWORD}' for all):")
    for username, role, _ in DEMO_LOGINS:
        print(f"    {username:<10} {role.label}")
    print("  Two-factor sign-in is off for these logins. To try it, sign in and open Your account →")
    print(f"  Set up two-factor sign-in ({base}/staff/account/two-factor/); to require it for staff, sign")
    print(f"  in as owner and open {base}/staff/{DEMO_SLUG}/settings/sign-in/.", flush=True)
    if args.no_serve:
        return 0
    print("  A worker runs beside the server: it sends confirmations and reminders, and")
    print("  prints each email and text message here instead of sending it. Press Ctrl+C to stop.\n", flush=True)
    worker = start_worker_beside()
    try:
        run_gunicorn(bind=f"{args.host}:{args.port}", workers=DEMO_WORKERS, threads=DEMO_THREADS, quiet=True)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return 0


# Enough for a small clinic on a small machine: 2 processes × 8 threads answer 16 requests at once;
# more wait in the queue (gunicorn's gthread worker keeps them open) rather than being dropped.
DEMO_WORKERS = 2
DEMO_THREADS = 8


def run_gunicorn(*, bind: str, workers: int, threads: int, quiet: bool = False) -> None:
    """Serve Django with gunicorn in this process (the arbiter; its workers are forked from it)."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from longtide.access_log import ACCESS_LOG_FORMAT
    from longtide.wsgi import application

    options = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 10,
        # One line per request on standard output, without query strings or tokens (access_log.py);
        # the demo stays quiet.
        "accesslog": None if quiet else "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": "longtide.access_log.RedactedAccessLogger",
        "errorlog": "-",
        "loglevel": "warning" if quiet else "info",
        "proc_name": "longtide",
    }

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> object:
            return application

    connections.close_all()  # the workers are forked: none may share this process's connections
    Server().run()


def start_worker_beside() -> subprocess.Popen[bytes]:
    """Start `longtide worker` as a child that stops with this process (the demo runs one beside its server).

    SIGTERM to this process becomes KeyboardInterrupt, so the caller's cleanup stops the worker;
    if this process is killed outright, the worker notices its parent is gone and stops too.
    """
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # --development: the demo's worker prints what it sends (console email and SMS), as the demo says.
    command = [sys.executable, "-m", "longtide.cli", "worker", "--development", "--exit-with-parent", str(os.getpid())]
    return subprocess.Popen(command, env=dict(os.environ))  # noqa: S603  (our own interpreter and module)


def serve(args: argparse.Namespace) -> int:
    """Run the production server (gunicorn) after the production checks pass."""
    _setup(production=True)
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", fail_level="ERROR")
    except SystemCheckError as refused:
        # The checks' own words (which setting to fix), not a traceback.
        print(str(refused).strip(), file=sys.stderr)
        print("longtide serve: not started; fix the settings above and run it again.", file=sys.stderr)
        return 2
    run_gunicorn(bind=args.bind, workers=args.workers, threads=args.threads)
    return 0


def worker(argv: list[str]) -> int:
    """Run the outbox worker in production mode, after the production checks pass, as `serve` does:
    with an unsafe configuration it would print emails and texts (private links, phone numbers) to
    its output and mark them sent. `--development` (the demo's own worker, local trials) opts out."""
    development = "--development" in argv
    if development:
        os.environ["LONGTIDE_PRODUCTION"] = "0"  # even when the shell exported it: the opt-out is explicit
        _setup()
        return _command(["outbox_worker", *(arg for arg in argv if arg != "--development")])
    _setup(production=True)
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", fail_level="ERROR")
    except SystemCheckError as refused:
        print(str(refused).strip(), file=sys.stderr)
        print(
            "longtide worker: not started; fix the settings above and run it again "
            "(or, on a development or demo database, `longtide worker --development`).",
            file=sys.stderr,
        )
        return 2
    return _command(["outbox_worker", *argv])


def practice_create(args: argparse.Namespace) -> int:
    """Create an empty practice and its owner; print the owner's one-time link to set a password (none
    when the owner's login already has one)."""
    _setup()
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError
    from django.urls import reverse
    from django.utils import timezone

    from longtide.practice.founding import create_practice

    try:
        founded = create_practice(slug=args.slug, name=args.name, owner_email=args.owner, now=timezone.now())
    except ValidationError as error:
        for messages in error.message_dict.values():
            for message in messages:
                print(f"longtide: {message}", file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        return 2
    except DatabaseError as error:
        print(f"longtide: the database is not ready ({str(error).strip()}).", file=sys.stderr)
        print("Run `longtide migrate` first; nothing was changed.", file=sys.stderr)
        return 2
    practice = founded.practice
    owner = "a new login" if founded.owner_created else "an existing login"
    print(f"Created the practice {practice.name!r} at slug {practice.slug!r}, owned by {args.owner.strip()} ({owner}).")
    if founded.link is None:
        print("That login already has a password: no link was issued (one would replace it).")
        print(f"The owner signs in with it at {settings.PUBLIC_BASE_URL}{reverse('staff-login')}")
    else:
        print("Send the owner this one-time link to set a password (it works once, within 7 days):")
        print(f"  {founded.link.url}")
    print("After signing in, the owner is guided through setting up locations, services, practitioners and hours.")
    return 0


def manage(argv: list[str]) -> int:
    """`longtide manage <command> …`: Django's management commands. `manage outbox_worker` is
    `longtide worker` (production mode and its checks; `--development` opts out): it would
    otherwise print the outbox (private links, phone numbers) and mark it sent."""
    if argv and argv[0] == "outbox_worker":
        return worker(argv[1:])
    return _command(argv)


def _command(argv: list[str]) -> int:
    # Static files are collected for production only (development serves them from the apps), so
    # collectstatic always runs in production mode and writes the manifest `longtide serve` needs.
    _setup(production=bool(argv) and argv[0] == "collectstatic")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(["longtide", *argv])
    except DatabaseError as error:
        if not _missing_table(error):
            raise
        print(f"longtide: the database has no Longtide tables yet ({str(error).strip()}).", file=sys.stderr)
        print("Run `longtide migrate` first.", file=sys.stderr)
        return 2
    return 0


def _missing_table(error: Exception) -> bool:
    text = str(error)
    return "no such table" in text or ("relation" in text and "does not exist" in text)


# `longtide <name> …` runs the management command of the same purpose.
PASSTHROUGH = {"audit": "audit", "token": "token", "retention": "retention"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="longtide", description="Longtide practice software.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_demo = sub.add_parser("demo", help="run the demo clinic (SQLite unless DATABASE_URL is set)")
    p_demo.add_argument("--host", default="127.0.0.1")
    p_demo.add_argument("--port", type=int, default=8000)
    p_demo.add_argument("--reset", action="store_true", help="delete the demo data and seed it afresh")
    p_demo.add_argument("--no-serve", action="store_true", help="prepare the data, then exit")
    p_demo.set_defaults(func=demo)

    p_serve = sub.add_parser("serve", help="run the production server (gunicorn)")
    p_serve.add_argument("--bind", default=os.environ.get("BIND", "0.0.0.0:8000"))
    p_serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    p_serve.add_argument(
        "--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")), help="threads per worker process"
    )
    p_serve.set_defaults(func=serve)

    p_practice = sub.add_parser("practice", help="operator's commands for practices")
    practice_sub = p_practice.add_subparsers(dest="practice_command", required=True)
    p_create = practice_sub.add_parser(
        "create", help="create an empty practice and its owner, and print the owner's one-time password link"
    )
    p_create.add_argument("--slug", required=True, help="the practice's address, e.g. stillwater (/p/stillwater/)")
    p_create.add_argument("--name", required=True, help='the practice\'s name, e.g. "Stillwater Clinic"')
    p_create.add_argument("--owner", required=True, help="the owner's email address (their username)")
    p_create.set_defaults(func=practice_create)

    sub.add_parser("manage", help="run a Django management command, e.g. `longtide manage createsuperuser`")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("seed-large", help="generate a large clinic for benchmarks (see --help)", add_help=False)
    sub.add_parser(
        "backup", help="back up the database and uploads: backup DEST | --check | --new-key FILE", add_help=False
    )
    sub.add_parser("restore", help="restore a backup into an empty database: restore SRC", add_help=False)
    sub.add_parser(
        "worker",
        help="send the outbox's emails and texts, and plan reminders (production mode; --development prints them)",
        add_help=False,
    )
    sub.add_parser("audit", help="check the audit trail: `longtide audit verify`", add_help=False)
    sub.add_parser("token", help="staff API tokens: token create | list | revoke", add_help=False)
    sub.add_parser(
        "retention", help="records past their retention date: report, --apply, hold, release", add_help=False
    )

    if argv and argv[0] == "manage":
        return manage(argv[1:])
    if argv and argv[0] == "migrate":
        return manage(["migrate", *argv[1:]])
    if argv and argv[0] == "seed-large":
        return manage(["seed_large", *argv[1:]])
    if argv and argv[0] in ("backup", "restore"):
        return manage(argv)
    if argv and argv[0] == "worker":
        return worker(argv[1:])
    if argv and argv[0] in PASSTHROUGH:
        return manage([PASSTHROUGH[argv[0]], *argv[1:]])
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
