"""A staff invitation sent over real SMTP to a local aiosmtpd server, read back as mail: the link works
once, and the message says nothing about any client."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from conftest import Cast
from longtide.practice.models import Role
from longtide.practice.staff import invite_staff
from tests.notifications.conftest import SmtpServer

pytestmark = pytest.mark.django_db


def test_an_invitation_travels_over_smtp_and_its_link_sets_a_password(
    smtp_mailer: SmtpServer,
    cast: Cast,
    client: HttpClient,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite_staff(
            practice=cast.tidewater,
            email="nell@example.org",
            role=Role.FRONT_DESK,
            by=cast.olga_user,
            now=timezone.now(),
        )
    [received] = smtp_mailer.collector.messages
    assert received.rcpt_tos == ["nell@example.org"]
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    plain = message.get_body(("plain",))
    assert plain is not None
    body = plain.get_content()
    assert "Tidewater Craniosacral" in message["Subject"]
    assert "as Front desk" in body and "Cleo" not in body
    found = re.search(r"http://[^/\s]+(/welcome/[A-Za-z0-9_-]+/)", body)
    assert found is not None, body
    path = found.group(1)
    assert (
        client.post(path, {"new_password1": "calm-tides-2026", "new_password2": "calm-tides-2026"}).status_code == 302
    )
    assert client.get(path).status_code == 404
