import pytest

from longtide.email_url import CONSOLE_BACKEND, SMTP_BACKEND, email_settings
from longtide.env import env_bool


def test_no_email_url_means_console_output() -> None:
    assert email_settings("") == {"MAILERS": {"default": {"BACKEND": CONSOLE_BACKEND}}}
    # The README's value: the bare word, as well as the URL form.
    for console in ("console", "console://", " CONSOLE "):
        assert email_settings(console) == {"MAILERS": {"default": {"BACKEND": CONSOLE_BACKEND}}}


def test_an_smtp_url_on_587_uses_starttls_and_decodes_the_password() -> None:
    mailer = email_settings("smtp://clinic%40example.org:p%40ss@mail.example.org:587")["MAILERS"]["default"]
    assert mailer["BACKEND"] == SMTP_BACKEND
    options = mailer["OPTIONS"]
    assert options["host"] == "mail.example.org"
    assert options["port"] == 587
    assert options["username"] == "clinic@example.org"
    assert options["password"] == "p@ss"
    assert options["use_tls"] is True and options["use_ssl"] is False


def test_smtps_uses_implicit_tls_on_465() -> None:
    options = email_settings("smtps://u:p@mail.example.org")["MAILERS"]["default"]["OPTIONS"]
    assert options["port"] == 465 and options["use_ssl"] is True


def test_an_unknown_scheme_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="scheme must be smtp"):
        email_settings("pigeon://loft")


def test_booleans_are_read_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ValueError, match="FLAG must be a boolean"):
        env_bool("FLAG")


def test_the_console_email_prints_the_plain_text_and_names_the_rest() -> None:
    import io

    from django.core.mail import EmailMultiAlternatives

    from longtide.notifications.console_email import EmailBackend

    link = "https://clinic.example.org/p/demo/manage/" + "A" * 43 + "/"
    email = EmailMultiAlternatives(
        subject="Your booking at Stillwater Craniosacral Clinic on Thursday 3 December 2026 at 09:00",
        body=f"Hello Cleo – café,\n\nManage it here:\n{link}\n",
        from_email="Longtide <no-reply@longtide.invalid>",
        to=["cleo@example.test"],
        reply_to=["hello@clinic.example.org"],
    )
    email.attach_alternative("<p>Hello</p>", "text/html")
    email.attach("appointment.ics", "BEGIN:VCALENDAR", "text/calendar")
    out = io.StringIO()
    assert EmailBackend(stream=out).send_messages([email]) == 1
    printed = out.getvalue()
    assert f"\n{link}\n" in printed and "Hello Cleo – café," in printed
    assert "Subject: Your booking at Stillwater Craniosacral Clinic on Thursday 3 December 2026 at 09:00\n" in printed
    assert "[attached: appointment.ics (text/calendar)]" in printed
    assert "[also as text/html, 12 characters, not shown]" in printed
    assert "=\n" not in printed and "<p>" not in printed
