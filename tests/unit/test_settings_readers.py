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
