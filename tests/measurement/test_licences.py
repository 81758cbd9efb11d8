"""Licensed questionnaires (issue 12): a practice sends HIT-6 only once an owner has recorded the
licence and typed its wording for every question and answer; the client sees that wording, the
answers are scored and stored with the SHA-256 of the filled-in questionnaire; withdrawing the
licence stops new sends but not links already sent. Only owners reach the pages; bad wording is
explained and what was typed is kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.measurement import licences
from longtide.measurement.actions import Refused, offered_ids
from longtide.measurement.models import InstrumentLicence, Response
from tests.measurement.conftest import send

pytestmark = pytest.mark.django_db
LIST = "/staff/tidewater/settings/outcomes/licensed/"
HIT6 = "/staff/tidewater/settings/outcomes/licensed/hit6/"
LABELS = "Never\nRarely\nSometimes\nVery often\nAlways"


def _as(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def wording(**overrides: str) -> dict[str, str]:
    data = {
        "holds": "on",
        "reference": "Licence 2026-117 from the holder",
        "instructions": "Our licensed instructions.",
        "shared_labels": LABELS,
    }
    data.update({f"item_q{n}": f"Licensed question {n}?" for n in range(1, 7)})
    data.update(overrides)
    return data


def test_a_licensed_questionnaire_is_offered_only_once_its_licence_and_wording_are_recorded(
    cast: Cast, episode: Any
) -> None:
    assert "hit6" not in offered_ids(cast.tidewater)
    with pytest.raises(Refused):
        send(episode, "hit6")
    owner = _as(cast.olga_user)
    assert "Not recorded: cannot be sent" in owner.get(LIST).text
    assert owner.post(HIT6, wording()).status_code == 302
    assert "hit6" in offered_ids(cast.tidewater)
    assert "Held (Licence 2026-117 from the holder): can be sent" in owner.get(LIST).text

    link, token = send(episode, "hit6")
    page = HttpClient().get(f"/p/tidewater/questions/{token}/")
    assert page.status_code == 200
    assert (
        "Licensed question 3?" in page.text and "Very often" in page.text and "Our licensed instructions." in page.text
    )
    answers = {f"q{n}": "3" for n in range(1, 7)}
    done = HttpClient().post(f"/p/tidewater/questions/{token}/", answers)
    assert done.status_code == 200
    response = Response.objects.get(link=link)
    expected = licences.instrument_for(cast.tidewater, "hit6").content_hash()
    assert response.content_hash == expected and response.total == 60  # six times "sometimes" (10)

    # Withdrawn: no new sends; a link already sent still opens, with the last wording recorded.
    _, second = send(episode, "hit6", timepoint="ad_hoc")
    owner.post(HIT6, {"action": "withdraw"})
    assert "hit6" not in offered_ids(cast.tidewater)
    with pytest.raises(Refused):
        send(episode, "hit6")
    assert "Licensed question 3?" in HttpClient().get(f"/p/tidewater/questions/{second}/").text


def test_new_wording_is_a_new_record_and_the_old_one_is_kept(cast: Cast) -> None:
    owner = _as(cast.olga_user)
    owner.post(HIT6, wording())
    owner.post(HIT6, wording(item_q1="Reworded question 1?"))
    rows = list(InstrumentLicence.objects.order_by("pk"))
    assert len(rows) == 2 and rows[0].withdrawn_at is not None and rows[1].withdrawn_at is None
    assert rows[0].wording["items"]["q1"] == "Licensed question 1?" and rows[0].sha256 != rows[1].sha256
    assert "Reworded question 1?" in owner.get(HIT6).text  # the form shows the current wording


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"item_q4": " "}, "Type the licensed wording of this question."),
        ({"shared_labels": "Never\nAlways"}, "This question has 5 answers: give 5 labels, one per line (got 2)."),
        ({"holds": ""}, "This field is required."),
        ({"reference": ""}, "This field is required."),
        ({"item_q2": "x\x00"}, "Null characters are not allowed."),
        ({"item_q2": "x" * 1001}, "Ensure this value has at most 1000 characters"),
        ({"item_q3": "\u200b\u200e\x01"}, "Type the licensed wording of this question."),
        ({"shared_labels": "Never\nRarely\n\u200b\nVery often\nAlways"}, "give 5 labels, one per line (got 4)"),
    ],
    ids=["missing-question", "labels-count", "no-licence", "no-reference", "nul", "long", "invisible", "blank-label"],
)
def test_bad_wording_is_explained_and_what_was_typed_is_kept(
    cast: Cast, overrides: dict[str, str], message: str
) -> None:
    response = _as(cast.olga_user).post(HIT6, wording(**overrides))
    assert response.status_code == 422 and message in response.text
    assert "Licensed question 6?" in response.text
    assert ("Licence 2026-117" in response.text) == ("reference" not in overrides)
    assert not InstrumentLicence.objects.exists()


def test_only_owners_reach_the_pages_and_unknown_or_free_questionnaires_are_404(cast: Cast) -> None:
    for user in (cast.ana_user, cast.ben_user, cast.dov_user):
        assert _as(user).get(LIST).status_code == 404
        assert _as(user).post(HIT6, wording()).status_code == 404
    owner = _as(cast.olga_user)
    assert owner.get("/staff/tidewater/settings/outcomes/licensed/gad7/").status_code == 404  # free
    assert owner.get("/staff/tidewater/settings/outcomes/licensed/nothing/").status_code == 404
    assert not InstrumentLicence.objects.exists()
