"""A new version of a consent document: the owner publishes it from Settings → Intake and consent,
and the client signs just the changed documents from their link, without redoing the intake
(issue 9). The emergency number and crisis line are set on the same page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.intake import actions, status
from longtide.intake.models import ConsentDocument, Intake, IntakeSettings, IntakeStatus, Signature
from longtide.scheduling.manage_links import token_for
from tests.access.conftest import _booked
from tests.intake.test_intake_pages import _fill, _open_intake

if TYPE_CHECKING:
    from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(cast: Cast) -> Appointment:
    return _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")


def signed_in(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def _publish(owner: HttpClient, kind: str, **changes: str) -> Any:
    page = owner.get(f"/staff/tidewater/settings/intake/consent/{kind}/")
    assert page.status_code == 200
    data = {**page.context["form"].initial, **changes}
    return owner.post(f"/staff/tidewater/settings/intake/consent/{kind}/", data)


def test_the_owner_publishes_a_version_and_the_client_signs_just_that_one(
    client: HttpClient, cast: Cast, visit: Any
) -> None:
    base = _open_intake(client, visit)
    _fill(client, base)
    intake = Intake.objects.get(client=cast.cleo)
    before = Signature.objects.filter(client=cast.cleo).count()
    owner = signed_in(cast.olga_user)
    listing = owner.get("/staff/tidewater/settings/intake/")
    assert listing.status_code == 200 and 'id="documents"' in listing.text

    same = _publish(owner, "treatment")
    assert same.status_code == 422 and "Nothing has changed" in same.text
    published = _publish(
        owner, "treatment", text="We will explain each hold before we begin.\n\nYou can stop at any time."
    )
    assert published.status_code == 302
    current = ConsentDocument.objects.get(practice=cast.tidewater, kind="treatment", version=2)
    assert current.text.endswith("You can stop at any time.") and current.required
    assert not status.summary(cast.cleo).consent_current
    assert [d.kind for d in actions.documents_to_sign_again(cast.cleo)] == ["treatment"]

    manage = f"/p/tidewater/manage/{token_for(visit)}/"
    page = client.get(manage)
    assert "An updated consent form" in page.text
    to_sign = client.get(manage + "intake/")
    assert to_sign.status_code == 302 and to_sign["Location"].endswith("/sign-again/")
    form = client.get(to_sign["Location"])
    assert form.status_code == 200 and "You can stop at any time." in form.text
    assert [d["doc"].kind for d in form.context["documents"]] == ["treatment"]

    refused = client.post(to_sign["Location"], {"typed_name": "  "})
    assert refused.status_code == 422 and "is needed before a session" in refused.text
    assert "Please type your full name" in refused.text
    kept = client.post(to_sign["Location"], {"typed_name": "Cleo Park"})
    assert kept.status_code == 422 and 'value="Cleo Park"' in kept.text

    done = client.post(to_sign["Location"], {"agreed": [current.pk], "typed_name": "Cleo Park"})
    assert done.status_code == 200 and 'id="signed-again"' in done.text
    assert status.summary(cast.cleo).consent_current and not actions.documents_to_sign_again(cast.cleo)
    new = Signature.objects.get(client=cast.cleo, document=current)
    assert (
        new.agreed and new.intake == intake and new.text_sha256 == current.text_sha256 and new.typed_name == "Cleo Park"
    )
    assert Signature.objects.filter(client=cast.cleo).count() == before + 1  # the rest stand as signed
    assert Intake.objects.filter(client=cast.cleo).count() == 1  # no new intake, no screen again
    assert intake.flags.count() == 0 and Intake.objects.get().status == IntakeStatus.SUBMITTED
    assert AuditEvent.objects.filter(object_type="consent", action="sign", client_id=cast.cleo.pk).exists()
    again = client.post(to_sign["Location"], {"agreed": [current.pk], "typed_name": "Cleo Park"})
    assert 'id="nothing-to-sign"' in again.text
    assert Signature.objects.filter(client=cast.cleo, document=current).count() == 1


def test_an_optional_document_is_asked_again_only_of_those_who_answered_it(
    cast: Cast, visit: Any, client: HttpClient
) -> None:
    base = _open_intake(client, visit)
    _fill(client, base)  # everything but intra-oral work agreed, and intra-oral answered "no"
    owner = signed_in(cast.olga_user)
    assert _publish(owner, "reminders", title="Reminders by email and text").status_code == 302
    assert [d.kind for d in actions.documents_to_sign_again(cast.cleo)] == ["reminders"]
    # Optional: it may be left unticked (recorded as not agreed).
    page = client.get(base + "sign-again/")
    done = client.post(base + "sign-again/", {"typed_name": "Cleo Park"})
    assert page.status_code == 200 and done.status_code == 200
    assert not Signature.objects.filter(client=cast.cleo, document__version=2).get().agreed
    assert not actions.documents_to_sign_again(cast.cleo)


def test_before_a_first_intake_nothing_is_signed_again(cast: Cast, visit: Any, client: HttpClient) -> None:
    assert actions.documents_to_sign_again(cast.cleo) == []
    base = _open_intake(client, visit)
    assert client.get(base + "sign-again/")["Location"].endswith(base)


def test_the_owner_sets_the_emergency_number_and_clients_are_shown_it(cast: Cast) -> None:
    owner = signed_in(cast.olga_user)
    bad = owner.post("/staff/tidewater/settings/intake/", {"emergency_number": "call us", "crisis_line": "116 123"})
    assert bad.status_code == 422 and "as it is dialled" in bad.text and 'value="call us"' in bad.text
    good = owner.post("/staff/tidewater/settings/intake/", {"emergency_number": "112", "crisis_line": "116 123"})
    assert good.status_code == 302
    assert actions.intake_settings(cast.tidewater).emergency_number == "112"
    assert IntakeSettings.objects.get(practice=cast.tidewater).crisis_line == "116 123"


@pytest.mark.parametrize("who", ["ana_user", "ben_user"])
def test_only_owners_reach_the_intake_settings(cast: Cast, who: str) -> None:
    member = signed_in(getattr(cast, who))
    assert member.get("/staff/tidewater/settings/intake/").status_code == 404
    assert member.get("/staff/tidewater/settings/intake/consent/treatment/").status_code == 404
    assert member.post("/staff/tidewater/settings/intake/", {"emergency_number": "1"}).status_code == 404
    assert signed_in(cast.dov_user).get("/staff/tidewater/settings/intake/").status_code == 404
    assert signed_in(cast.olga_user).get("/staff/tidewater/settings/intake/consent/nope/").status_code == 404


def test_a_long_text_is_refused_and_kept(cast: Cast) -> None:
    owner = signed_in(cast.olga_user)
    response = _publish(owner, "privacy", text="x" * 20_001)
    assert response.status_code == 422 and "at most 20000 characters" in response.text.replace(",", "")
    assert ConsentDocument.objects.filter(kind="privacy").count() == 1


def test_a_document_published_while_the_page_was_open_is_shown_not_signed_unseen(
    cast: Cast, visit: Any, client: HttpClient
) -> None:
    """The client reads the page with the new treatment consent; meanwhile the owner publishes a new
    reminders consent. Sending signs nothing the client was not shown: the page comes back with both
    and says why, and their tick is kept."""
    base = _open_intake(client, visit)
    _fill(client, base)
    owner = signed_in(cast.olga_user)
    assert _publish(owner, "treatment", text="We explain each hold first.").status_code == 302
    page = client.get(base + "sign-again/")
    treatment = page.context["documents"][0]["doc"]
    assert [d["doc"].kind for d in page.context["documents"]] == ["treatment"]
    assert f'name="shown" value="{treatment.pk}"' in page.text
    assert _publish(owner, "reminders", title="Reminders by email and text").status_code == 302
    before = Signature.objects.filter(client=cast.cleo).count()
    sent = client.post(
        base + "sign-again/", {"agreed": [treatment.pk], "shown": [treatment.pk], "typed_name": "Cleo Park"}
    )
    assert Signature.objects.filter(client=cast.cleo).count() == before  # nothing signed unseen
    assert sent.status_code == 422 and 'id="documents-changed"' in sent.text
    assert [d["doc"].kind for d in sent.context["documents"]] == ["treatment", "reminders"]
    assert sent.context["documents"][0]["checked"] and 'value="Cleo Park"' in sent.text
