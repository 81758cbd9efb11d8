"""The README's production steps, run exactly as written, in subprocesses, from a clean copy of the
repository (no ./var yet, as after `git clone`): migrate, collectstatic, practice create, serve and
worker; then pages, a static file and a practitioner's photo are fetched from the production
server, as the TLS proxy in front of it would ask for them.

The steps run on SQLite (the default when DATABASE_URL is unset) so that the bare clone's data
folder is what is tested; `uv run longtide` is this interpreter's `python -m longtide.cli` with the
copy first on the path.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
HOST = "clinic.example.org"


def clean_copy(destination: Path) -> Path:
    """The repository's files as a clone has them: tracked and new files, nothing ignored (no var/)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (item.decode() for item in listed)):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    assert not (destination / "var").exists()
    return destination


def readme_production_steps() -> list[list[str]]:
    """The `uv run longtide …` lines of the README's production section, as argument lists."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Running in production") :]
    block = section[section.index("```sh") + 5 : section.index("```", section.index("```sh") + 5)]
    steps = []
    for line in block.splitlines():
        command = line.split("#", 1)[0].strip()
        if command.startswith("uv run longtide "):
            steps.append(shlex.split(command)[3:])
    assert [step[0] for step in steps] == ["migrate", "manage", "practice", "serve", "worker"]
    return steps


@pytest.fixture
def clinic(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    copy = clean_copy(tmp_path / "longtide")
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "LONGTIDE_DATA_DIR", "DEBUG", "LONGTIDE_PRODUCTION")
    }
    # The README's exports, with a local SQLite database and a mail server that is never reached.
    environment.update(
        SECRET_KEY="production-steps-test-" + "k" * 40,
        ALLOWED_HOSTS=HOST,
        EMAIL_URL=f"smtp://clinic:secret@127.0.0.1:{free_port()}",
        PUBLIC_BASE_URL=f"https://{HOST}",
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        PYTHONPATH=str(copy),
    )
    return copy, environment


def longtide(args: list[str], copy: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "longtide.cli", *args],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Host": HOST, "X-Forwarded-Proto": "https", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:  # closes its connection
            return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


PHOTO = """
import io
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from longtide.practice.models import Practice, Practitioner
from longtide.practice.photos import prepare_photo
raw = io.BytesIO()
Image.new("RGB", (300, 300), (40, 90, 120)).save(raw, format="PNG")
person = Practitioner(practice=Practice.objects.get(slug="stillwater"), display_name="Ana Silva", slug="ana",
                      style="biodynamic")
photo = prepare_photo(SimpleUploadedFile("me.png", raw.getvalue(), "image/png"))
person.photo.save(photo.name, photo)
"""


def test_the_readme_production_steps_work_as_written_on_a_bare_clone(clinic: tuple[Path, dict[str, str]]) -> None:
    copy, environment = clinic
    migrate, collectstatic, create, serve, worker = readme_production_steps()

    for step in (migrate, collectstatic, create):
        done = longtide(step, copy, environment)
        assert done.returncode == 0, f"{step}: {done.stdout}{done.stderr}"
    assert (copy / "var" / "longtide.sqlite3").exists()
    assert (copy / "var" / "static" / "staticfiles.json").exists(), "collectstatic writes the manifest"
    assert "one-time link" in done.stdout
    photo = longtide(["manage", "shell", "-c", PHOTO], copy, environment)
    assert photo.returncode == 0, photo.stderr

    port = free_port()
    serve = [*serve]
    serve[serve.index("--bind") + 1] = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "longtide.cli", *serve],
        cwd=copy,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # The worker writes to a file, so that the test can see it has started before stopping it.
    worker_log = copy / "worker.log"
    with worker_log.open("wb") as log:
        sender = subprocess.Popen(
            [sys.executable, "-m", "longtide.cli", *worker], cwd=copy, env=environment, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = fetch(f"{base}/p/stillwater/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("longtide serve did not come up")
                time.sleep(0.3)
        page = body.decode()
        assert status == 200, page[:2000]
        assert "Stillwater Clinic" in page
        # Security headers: HSTS on requests that came through the TLS proxy, and a CSP.
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        # A plain-HTTP request (no X-Forwarded-Proto from the proxy) is sent to HTTPS.
        plain = urllib.request.Request(f"{base}/p/stillwater/", headers={"Host": HOST})
        with pytest.raises(urllib.error.HTTPError) as redirected:
            urllib.request.build_opener(NoRedirect).open(plain, timeout=10)
        redirected.value.close()
        assert redirected.value.code == 301
        assert redirected.value.headers["Location"] == f"https://{HOST}/p/stillwater/"
        # Staff pages are never stored.
        assert "no-store" in fetch(f"{base}/staff/login/")[1]["Cache-Control"]

        # The stylesheet's address carries the manifest's hash, and WhiteNoise serves it for a year.
        stylesheet = re.search(r'href="(/static/longtide/site\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "static files are named from the manifest"
        status, headers, body = fetch(base + stylesheet.group(1))
        assert status == 200 and headers["Content-Type"].startswith("text/css") and b"{" in body
        assert "max-age=315360000" in headers["Cache-Control"]

        # The practitioner's photo is served by the app in production, as a JPEG.
        status, headers, body = fetch(f"{base}/p/stillwater/practitioners/")
        assert status == 200
        src = re.search(r'src="(/media/practitioners/[0-9a-f]{24}\.jpg)"', body.decode())
        assert src, "the practitioners page shows the photo"
        status, headers, body = fetch(base + src.group(1))
        assert status == 200 and headers["Content-Type"] == "image/jpeg" and body[:3] == b"\xff\xd8\xff"
        assert headers["X-Content-Type-Options"] == "nosniff"
        # Nothing else under the uploads folder is served, nor a path outside it.
        (copy / "var" / "media" / "practitioners" / "notes.txt").write_text("private")
        for other in ("/media/practitioners/notes.txt", "/media/practitioners/..%2F..%2Flongtide.sqlite3"):
            assert fetch(base + other)[0] == 404

        # The clinic's own error page, and the worker is running.
        status, headers, body = fetch(f"{base}/p/no-such-clinic/")
        assert status == 404 and b"We couldn't find that page" in body
        assert sender.poll() is None, "the worker keeps running"

        # API errors are JSON in production too, with a code: unknown address, wrong method, bad
        # input (NUL byte, year 9999, a 20-digit id).
        api = f"{base}/api/v1/p/stillwater"
        for url, method, expected in [
            (f"{base}/api/v1/no-such-endpoint", "GET", (404, "not_found")),
            (f"{api}/", "DELETE", (405, "method_not_allowed")),
            (f"{api}/practitioners?style=%00", "GET", (400, "null_character")),
            (f"{api}/availability?service=1&start=9999-12-31&end=9999-12-31", "GET", (422, "date_out_of_range")),
            (
                f"{api}/availability?service=99999999999999999999&start=2026-12-01&end=2026-12-01",
                "GET",
                (422, "id_out_of_range"),
            ),
        ]:
            request = urllib.request.Request(url, method=method, headers={"Host": HOST, "X-Forwarded-Proto": "https"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status, headers, body = response.status, dict(response.headers), response.read()
            except urllib.error.HTTPError as error:
                with error:
                    status, headers, body = error.code, dict(error.headers), error.read()
            assert headers["Content-Type"].startswith("application/json"), (url, body[:300])
            assert (status, json.loads(body)["code"]) == expected, (url, body[:300])

        # The access log: one line per request, no query string, no token, no address.
        fetch(f"{base}/p/stillwater/practitioners/?email=cleo%40example.test&key=sekrit-query")
        fetch(f"{base}/p/stillwater/manage/sekrit-token-1234/")
    finally:
        # On a loaded machine the worker may still be starting (importing Django) when the checks
        # above are done: a SIGTERM before it has set its handler would end it silently (a CI
        # run on PostgreSQL saw its output empty). Wait for its first line (at most 60 s).
        deadline = time.monotonic() + 60
        while b"sending the outbox" not in worker_log.read_bytes() and sender.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for process in (server, sender):
            process.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
        sender.wait(timeout=30)
        worker_output = worker_log.read_text()
    assert "Traceback" not in output, output[-3000:]
    assert '"GET /p/stillwater/practitioners/ HTTP/1.1" 200' in output, output[-3000:]
    assert '"GET /p/stillwater/manage/[token]/ HTTP/1.1" 404' in output, output[-3000:]
    for secret in ("cleo", "sekrit", "%40"):
        assert secret not in output, output[-3000:]
    assert "Traceback" not in worker_output and "Longtide worker: sending the outbox" in worker_output


def test_serve_explains_refusing_checks_without_a_traceback(clinic: tuple[Path, dict[str, str]]) -> None:
    copy, environment = clinic
    environment.update(SECRET_KEY="short", ALLOWED_HOSTS="", EMAIL_URL="console")
    refused = longtide(["serve", "--bind", f"127.0.0.1:{free_port()}"], copy, environment)
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr + refused.stdout
    assert "longtide.E001" in refused.stderr and "SECRET_KEY" in refused.stderr
    assert "longtide.E003" in refused.stderr and "longtide.E004" in refused.stderr
    assert "not started" in refused.stderr


def test_check_deploy_warns_only_of_what_the_docs_explain(clinic: tuple[Path, dict[str, str]]) -> None:
    copy, environment = clinic
    environment["LONGTIDE_PRODUCTION"] = "1"
    done = longtide(["manage", "check", "--deploy"], copy, environment)
    assert done.returncode == 0, done.stderr
    remaining = set(re.findall(r"\((security\.W\d+)\)", done.stdout + done.stderr))
    assert remaining == {"security.W005", "security.W021"}, done.stdout + done.stderr
    explained = (ROOT / "docs" / "security.md").read_text()
    for warning in remaining:
        assert f"`{warning}`" in explained


@pytest.mark.parametrize(
    "command",
    [
        ["migrate"],
        ["seed-large", "--practitioners", "2", "--rooms", "1", "--days", "3"],
        ["demo", "--no-serve"],
        ["manage", "check"],
        ["audit", "verify"],
        ["backup", "--check", "--max-age", "24"],
    ],
    ids=lambda command: command[0],
)
def test_readme_commands_work_on_a_bare_clone(clinic: tuple[Path, dict[str, str]], command: list[str]) -> None:
    """Each command the README names makes the data folder it needs on a fresh clone (no ./var)."""
    copy, environment = clinic
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "PUBLIC_BASE_URL", "CSRF_TRUSTED_ORIGINS"):
        environment.pop(name)  # development defaults, as right after cloning
    done = longtide(command, copy, environment)
    output = done.stdout + done.stderr
    assert "unable to open database file" not in output and "Traceback" not in output, output[-2000:]
    if command[0] in ("audit", "backup"):
        # Nothing to check in a database without tables: said plainly, not a traceback.
        assert done.returncode == 2 and "run `longtide migrate` first" in output.lower(), output
    else:
        assert done.returncode == 0, output[-2000:]
    assert (copy / "var").is_dir()
