"""`longtide worker` as the README's production steps run it (a subprocess, the README's exports):
production mode, like `longtide serve`. With an unsafe configuration it refuses to start (exit 2,
the checks' words) instead of printing the outbox (private links, phone numbers) and marking it
sent; with a safe one, texts go to the production SMS setting (off unless SMS_URL is set), never
to its output. `--development` (the demo's worker) opts out. `longtide manage outbox_worker` is the
same worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
HOST = "clinic.example.org"
TOKEN = "privateManageToken0123456789abcdefghijklmnopq"

QUEUE = f"""
from django.db import transaction
from django.utils import timezone
from longtide.notifications.models import Channel
from longtide.notifications.outbox import NewMessage, queue
from longtide.practice.models import Practice
now = timezone.now()
with transaction.atomic():
    queue(practice_id=Practice.objects.get(slug="stillwater").pk, messages=[
        NewMessage(purpose="test.private", channel=channel, recipient=to, dedupe_key=f"private-{{channel}}",
                   subject="Your visit", body_text="Change it here: https://{HOST}/p/stillwater/manage/{TOKEN}/",
                   send_after=now)
        for channel, to in ((Channel.SMS, "+12075550123"), (Channel.EMAIL, "cleo@example.test"))
    ])
"""
STATES = """
from longtide.notifications.models import Message
print("states", sorted(Message.objects.values_list("channel", "status")))
"""


def longtide(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # The README's exports, with SQLite in a data folder of its own; EMAIL_URL and SMS_URL as given.
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "LONGTIDE_PRODUCTION", "EMAIL_URL", "SMS_URL")
    }
    environment.update(
        LONGTIDE_DATA_DIR=str(data_dir),
        SECRET_KEY="worker-production-test-" + "k" * 40,
        ALLOWED_HOSTS=HOST,
        PUBLIC_BASE_URL=f"https://{HOST}",
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "longtide.cli", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_worker_runs_in_production_mode(tmp_path: Path) -> None:
    assert longtide(["migrate"], tmp_path).returncode == 0
    created = longtide(
        ["practice", "create", "--slug", "stillwater", "--name", "S", "--owner", "o@example.org"], tmp_path
    )
    assert created.returncode == 0, created.stderr
    queued = longtide(["manage", "shell", "-c", QUEUE], tmp_path)
    assert queued.returncode == 0, queued.stderr

    # No EMAIL_URL: email would go to the console. Refused, as `serve` refuses it; nothing sent.
    refused = longtide(["worker", "--once"], tmp_path)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "longtide.E003" in refused.stderr and "EMAIL_URL" in refused.stderr
    assert "longtide worker: not started" in refused.stderr and "Traceback" not in refused.stderr
    assert TOKEN not in refused.stdout + refused.stderr and "5550123" not in refused.stdout + refused.stderr
    # The same command through `longtide manage` is the same worker, with the same rule.
    through_manage = longtide(["manage", "outbox_worker", "--once"], tmp_path)
    assert through_manage.returncode == 2, through_manage.stdout + through_manage.stderr
    assert "longtide.E003" in through_manage.stderr and "longtide worker: not started" in through_manage.stderr
    assert TOKEN not in through_manage.stdout + through_manage.stderr
    states = longtide(["manage", "shell", "-c", STATES], tmp_path)
    assert "states [('email', 'pending'), ('sms', 'pending')]" in states.stdout, states.stdout + states.stderr

    # The README's settings (a mail server that is not answering here; no SMS_URL): the text is not
    # printed but fails as "not set up" (production's SMS default), the email waits to be retried.
    sent = longtide(["worker", "--once"], tmp_path, EMAIL_URL=f"smtp://clinic:secret@127.0.0.1:{free_port()}")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert TOKEN not in sent.stdout + sent.stderr and "5550123" not in sent.stdout + sent.stderr
    assert "sent 0, retrying 1, failed 1" in sent.stdout, sent.stdout
    states = longtide(["manage", "shell", "-c", STATES], tmp_path)
    assert "states [('email', 'pending'), ('sms', 'failed')]" in states.stdout, states.stdout + states.stderr


def test_the_worker_explains_bad_options(tmp_path: Path) -> None:
    for options, message in [
        (["--batch", "-1"], "argument --batch: give a whole number of messages from 1"),
        (["--batch", "0"], "argument --batch"),
        (["--poll", "-2"], "argument --poll: give a number of seconds from 0"),
        (["--poll", "nan"], "argument --poll"),
    ]:
        done = longtide(["worker", "--once", *options], tmp_path, EMAIL_URL=f"smtp://127.0.0.1:{free_port()}")
        assert done.returncode == 2, (options, done.stdout + done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr, (options, done.stderr)
