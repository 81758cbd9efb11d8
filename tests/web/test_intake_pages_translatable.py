"""The intake form's shipped questions reach the page through Django's translation machinery (issue 7).

The questions are written in pure modules (longtide.intake.form, longtide.intake.screening) that
cannot import Django: they are marked there with ``gettext_noop`` and translated when shown. Under
the pseudo catalog of test_public_pages_translatable every one of them must come out in ⟦…⟧, on the
client's steps and on the staff intake page; a practice's own question (what it typed) and a stored
flag label must not.
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.intake import actions, form, screening
from longtide.scheduling.manage_links import token_for
from tests.access.conftest import _booked
from tests.intake.helpers import ABOUT, HEALTH, REASONS, screen
from tests.web.test_public_pages_translatable import CLOSE, OPEN, _data, pseudo, unmarked  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pseudo")]

OWN_QUESTION = "Which hand do you write with?"


def _wrapped(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


def _start(cast: Cast) -> tuple[Any, str]:
    visit = _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")
    client = HttpClient()
    response = client.get(f"/p/tidewater/manage/{token_for(visit)}/intake/")
    assert response.status_code == 302
    return visit, response["Location"]


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("'", "&#x27;").replace('"', "&quot;")


def test_every_shipped_question_is_shown_translated(cast: Cast) -> None:
    actions.publish_form(
        cast.tidewater, form.with_question({}, label=OWN_QUESTION, kind="text", required=False, choices=())
    )
    _visit, base = _start(cast)
    client = HttpClient()
    data = _data(OWN_QUESTION)
    for step in ("about", "reasons", "health", "screen"):
        page = client.get(base + f"{step}/")
        assert page.status_code == 200, step
        text = page.text
        expected = [f.label for f in form.STEPS[form.STEP_KEYS.index(step)].fields]
        expected += [f.help for f in form.STEPS[form.STEP_KEYS.index(step)].fields if f.help]
        if step == "reasons":
            expected += [label for _key, label in form.REASONS]
        if step == "health":
            expected += [label for _value, label in form.BODYWORK]
            assert OWN_QUESTION in text and _wrapped(OWN_QUESTION) not in text  # what the practice typed
        if step == "screen":
            expected += [item.question for item in screening.questions(screening.SHIPPED)]
        assert expected
        missing = [e for e in expected if _escaped(_wrapped(e)) not in text]
        assert not missing, f"not translated on {step}: {missing}"
        left = unmarked(text, data)
        assert not left, f"not marked on {step}:\n" + "\n".join(left)


def test_the_staff_intake_page_shows_the_questions_translated_and_the_flag_as_stored(cast: Cast) -> None:
    visit, base = _start(cast)
    client = HttpClient()
    for step, answers in (("about", ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen("pregnant"))):
        assert client.post(base + f"{step}/", answers).status_code == 302, step
    page = client.get(base + "consent/")
    ids = [x["doc"].pk for x in page.context["documents"] if x["doc"].kind != "intraoral"]
    client.post(base + "consent/", {"agreed": ids, "typed_name": "Cleo Park", "action": "submit"})
    ana = HttpClient()
    ana.force_login(cast.ana_user)
    text = ana.get(f"/staff/tidewater/clients/{visit.client_id}/intake/").text
    assert _escaped(_wrapped("Are you pregnant?")) in text
    assert _wrapped("Headaches or migraines") in text and _wrapped("Date of birth") in text
    assert _wrapped("About you") in text
    # The flag's label is stored with the flag, in the words it was raised in: shown as stored.
    assert "Pregnancy" in text and _wrapped("Pregnancy") not in text


def test_a_step_with_problems_says_so_in_the_active_language(cast: Cast) -> None:
    _visit, base = _start(cast)
    client = HttpClient()
    data = _data()
    about = client.post(base + "about/", {"date_of_birth": "2999-01-01", "emergency_phone": "call me"})
    assert about.status_code == 422
    text = html.unescape(about.text)
    assert _wrapped("The date of birth cannot be in the future.") in text
    assert _wrapped(f"Please fill in “{_wrapped('Emergency contact: name')}”.") in text
    assert _wrapped("Please give a phone number using digits (spaces, +, ( ) and - are fine).") in text
    assert not unmarked(about.text, data)
    reasons = client.post(base + "reasons/", {"reasons": ["headache", "other"], "severity_sleep": "11"})
    assert reasons.status_code == 422
    text = html.unescape(reasons.text)
    assert _wrapped(f"Please say how much “{_wrapped('Headaches or migraines')}” bothers you, from 0 to 10.") in text
    assert _wrapped("You ticked “Something else”: please say what it is.") in text
    assert not unmarked(reasons.text, data)
    screen_page = client.post(base + "screen/", {})
    assert screen_page.status_code == 422
    assert _wrapped("Please answer yes or no.") in screen_page.text
    assert not unmarked(screen_page.text, data)
