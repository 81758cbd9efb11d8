"""A practice adds its own intake questions and safety questions without code (Settings → Intake
and consent → Your own questions): each change is a new form version, answers stay with the version
they answered, and the shipped safety items cannot be weakened (issue 9)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.audit.trail import Origin
from longtide.intake import actions, form, screening
from longtide.intake.models import Flag, FormVersion
from longtide.lib.i18n_marks import MarkedError
from tests.intake.helpers import ABOUT, HEALTH, REASONS, screen

pytestmark = pytest.mark.django_db
URL = "/staff/tidewater/settings/intake/questions/"
TODAY = date(2026, 12, 2)


def signed_in(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def _submit(client: Any, *, health: dict[str, str], yes: tuple[str, ...] = (), own: tuple[str, ...] = ()) -> Any:
    intake = actions.draft_for(client)
    answers = {**screen(*yes), **{f"q_{key}": "yes" if key in yes else "no" for key in own}}
    for step, data in (("about", ABOUT), ("reasons", REASONS), ("health", health), ("screen", answers)):
        checked = actions.save_step(intake, step, data, today=TODAY)
        assert checked.ok, checked.errors
    docs = actions.current_documents(client.practice)
    answer = actions.ConsentAnswer({d.pk for d in docs}, "Cleo Park")
    return actions.submit(intake, answer, origin=Origin(None, "t"), today=TODAY, alert=False).intake


def test_an_owner_adds_a_question_and_a_safety_question_each_a_new_version(cast: Cast) -> None:
    before = _submit(cast.cleo, health=HEALTH)
    first = before.form
    owner = signed_in(cast.olga_user)
    assert owner.get(URL).status_code == 200
    added = owner.post(
        URL,
        {
            "action": "question",
            "label": "How did you hear about us?",
            "kind": "choice",
            "choices": "A friend\nOnline\n\nA doctor",
            "required": "on",
        },
    )
    assert added.status_code == 302
    second = actions.current_form(cast.tidewater)
    assert second.number == first.number + 1
    question = actions.definition_of(second).extra_fields[0]
    assert question.label == "How did you hear about us?" and question.required
    assert [c for c, _ in question.choices] == ["A friend", "Online", "A doctor"]
    assert (
        owner.post(
            URL, {"action": "screen", "question": "Have you had a tooth out in the last week?", "level": "refer"}
        ).status_code
        == 302
    )
    third = actions.current_form(cast.tidewater)
    own = [i for i in actions.definition_of(third).screen if not i.shipped]
    assert len(own) == 1 and own[0].level == screening.Level.REFER
    # The shipped screen is all there, unchanged, before the practice's own item.
    assert actions.definition_of(third).screen[: len(screening.SHIPPED)] == screening.SHIPPED

    # A new intake answers the new version (the question must be answered; the item raises its flag).
    draft = actions.draft_for(cast.cleo)
    missing = actions.save_step(draft, "health", HEALTH, today=TODAY)
    assert not missing.ok and question.key in missing.errors
    later = _submit(cast.cleo, health={**HEALTH, question.key: "Online"}, yes=(own[0].key,), own=(own[0].key,))
    assert later.form == third and later.answers["health"][question.key] == "Online"
    assert Flag.objects.filter(intake=later, item_key=own[0].key, level=screening.Level.REFER).exists()
    before.refresh_from_db()
    assert before.form == first  # the earlier intake stays with the version it answered

    # Removing the practice's own question is a new version again; a shipped item cannot be named.
    removed = owner.post(URL, {"action": "remove", "key": question.key[2:]})
    assert removed.status_code == 302 and not actions.definition_of(actions.current_form(cast.tidewater)).extra_fields
    shipped_key = screening.SHIPPED[0].key
    count = FormVersion.objects.count()
    owner.post(URL, {"action": "remove", "key": shipped_key})
    assert FormVersion.objects.count() == count


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "question", "label": "", "kind": "text"}, "Write the question"),
        ({"action": "question", "label": "Pick", "kind": "choice", "choices": "Only one"}, "Give 2 to 12 choices"),
        ({"action": "question", "label": "x" * 201, "kind": "text"}, "at most 200 characters"),
        ({"action": "screen", "question": "Anything?", "level": "none"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_kept(cast: Cast, data: dict[str, str], message: str) -> None:
    response = signed_in(cast.olga_user).post(URL, data)
    assert response.status_code == 422 and message in response.text.replace(",", "")
    if data.get("label"):
        assert data["label"] in response.text
    assert FormVersion.objects.filter(practice=cast.tidewater).count() <= 1


def test_the_shipped_screen_cannot_be_weakened_in_a_version() -> None:
    weaker = {"screen": [{**screening.SHIPPED[0].to_dict(), "level": "precaution"}]}
    with pytest.raises(screening.ScreenError, match=r"share a key"):
        form.Definition.build("x", weaker)
    assert form.key_for("Thunderclap", {"thunderclap"}) == "thunderclap_2"
    assert form.key_for("42 things?", set()) == "q_42_things"


def test_an_own_date_question_is_not_checked_as_a_date_of_birth() -> None:
    """A practice's own "A date" question (say, a due date) may be answered with a date after today,
    and is not told about a date of birth; a date far off is still questioned, with its own words."""
    built = form.Definition.build(
        "x", form.with_question({}, label="If pregnant: your due date", kind="date", required=False, choices=())
    )
    key = built.extra_fields[0].key
    later = form.check_step(built, "health", {**HEALTH, key: "2027-03-01"}, TODAY)
    assert later.ok, later.errors
    assert later.answers[key] == "2027-03-01"
    for far in ("9999-12-31", "0001-01-01"):
        checked = form.check_step(built, "health", {**HEALTH, key: far}, TODAY)
        assert "birth" not in checked.errors[key] and "year" in checked.errors[key]
    born = form.check_step(built, "about", {**ABOUT, "date_of_birth": "2027-03-01"}, TODAY)
    assert born.errors["date_of_birth"] == "The date of birth cannot be in the future."


@pytest.mark.parametrize(
    "data",
    [
        {"action": "question", "label": "\x01\x02\u200b", "kind": "text"},
        {"action": "screen", "question": "\x01", "level": "refer"},
        {"action": "question", "label": "Pick", "kind": "choice", "choices": "\x01\n\x02\nReal"},
    ],
)
def test_wording_of_only_control_characters_is_refused(cast: Cast, data: dict[str, str]) -> None:
    """A question the client cannot read (only control or invisible characters) is not published:
    a safety question must be answered, so an invisible one would stop every intake."""
    owner = signed_in(cast.olga_user)
    assert owner.get(URL).status_code == 200
    count = FormVersion.objects.filter(practice=cast.tidewater).count()
    response = owner.post(URL, data)
    assert response.status_code == 422
    assert "Write the question as the client reads it." in response.text or "Give 2 to 12 choices" in response.text
    assert FormVersion.objects.filter(practice=cast.tidewater).count() == count


@pytest.mark.parametrize(
    ("build", "english"),
    [
        (lambda: form.Field.from_dict({"key": "Bad Key", "label": "Q"}), "Question key “Bad Key”: use lowercase"),
        (lambda: form.Field.from_dict({"key": "qq", "label": "", "kind": "text"}), "Question qq needs a label"),
        (lambda: form.Field.from_dict({"key": "qq", "label": "Q", "kind": "choice"}), "Question qq is a choice"),
        (lambda: screening.extend([{"key": "x", "question": "Q", "level": "refer"}]), "Item key “x”: use 2–49"),
        (lambda: screening.extend([{"key": "item", "question": "", "level": "refer"}]), "Item item: the question"),
        (lambda: screening.extend([{"key": "item", "question": "Q", "level": "severe"}]), "Unknown level “severe”"),
        (lambda: screening.extend([{**screening.SHIPPED[0].to_dict(), "shipped": False}]), "Two items share a key."),
    ],
)
def test_the_pure_modules_refusals_are_marked_for_translation(build: Any, english: str) -> None:
    with pytest.raises(MarkedError) as refused:  # a ValueError, as callers catch
        build()
    error = refused.value
    assert isinstance(error, ValueError) and str(error).startswith(english)
    # The marked text goes through the caller's gettext before its parameters are filled in.
    assert error.translated(lambda text: f"«{text}»") == f"«{error!s}»"


def test_a_refusal_of_the_form_reaches_the_owner_in_their_language(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from longtide.web.staff.setup import intake_pages

    def with_bad_item(definition: dict[str, Any], **typed: Any) -> dict[str, Any]:
        return {**definition, "screen": [{"key": "fainting", "question": "Fainted?", "level": "severe"}]}

    monkeypatch.setattr(form, "with_screen_item", with_bad_item)
    monkeypatch.setattr(intake_pages, "_", lambda text: f"«{text}»")
    response = signed_in(cast.olga_user).post(URL, {"action": "screen", "question": "Fainted?", "level": "refer"})
    assert response.status_code == 422
    assert "«Unknown level “severe”: use PRECAUTION, REFER or EMERGENCY.»" in response.text
    assert FormVersion.objects.filter(practice=cast.tidewater).count() <= 1


@pytest.mark.parametrize(
    "data",
    [
        {"action": "question", "label": "How did you hear about us?", "kind": "text"},
        {"action": "screen", "question": "Have you had a tooth out in the last week?", "level": "refer"},
    ],
)
def test_a_question_sent_twice_is_published_once(cast: Cast, data: dict[str, str]) -> None:
    """A double click on "Add" published a version with the question twice (…_2). The second
    submission is refused, saying the form already asks it, and publishes nothing."""
    owner = signed_in(cast.olga_user)
    assert owner.post(URL, data).status_code == 302
    versions = FormVersion.objects.filter(practice=cast.tidewater).count()
    again = owner.post(URL, {**data, "label": data.get("label", "").upper()} if "label" in data else data)
    assert again.status_code == 422 and "The form already asks" in again.text
    assert FormVersion.objects.filter(practice=cast.tidewater).count() == versions
    # Two submissions judged at once (both built on the same version): one version.
    current = actions.current_form(cast.tidewater)
    same = dict(current.definition)
    assert actions.publish_form(cast.tidewater, same).pk == current.pk
