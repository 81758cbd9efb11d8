import html
import re

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.sampledata.demo import seed_demo

pytestmark = pytest.mark.django_db

FORBIDDEN_CLAIMS = ["treats ", "cures", "clinically proven", "regulates the nervous system"]


def test_the_root_redirects_to_the_only_practice(client: HttpClient) -> None:
    seed_demo()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/p/demo/"


def test_the_root_lists_practices_when_there_are_several(client: HttpClient, cast: Cast) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Tidewater Craniosacral" in response.text and "Harbour Bodywork" in response.text


def test_the_home_page_explains_cst_honestly(client: HttpClient) -> None:
    seed_demo()
    page = client.get("/p/demo/").text
    assert "<main" in page and 'lang="en-us"' in page  # the language the page is written in
    for heading in ["What craniosacral therapy is", "Styles of practice", "What to expect in a session"]:
        assert heading in page
    assert "may help some people" in page
    assert "limited and mixed" in page
    assert "Several sessions are usually needed" in page
    lowered = page.lower()
    for claim in FORBIDDEN_CLAIMS:
        for index in range(len(lowered)):
            index = lowered.find(claim, index)
            if index == -1:
                break
            # Only negated uses ("do not claim that CST treats or cures") are allowed.
            window = lowered[max(0, index - 40) : index]
            assert "not" in window, f"claim {claim!r} appears un-negated: …{lowered[index - 40 : index + 40]}…"
            index += 1


# Mechanisms the method claims but research has not shown (domain.md §6): every sentence that
# names one must attribute it ("practitioners describe…", "what they call…").
MECHANISMS = ["membranes", "connective tissue", "rhythm", "tides", "cerebrospinal", "fascia"]
ATTRIBUTIONS = ["describe", "call", "explains itself", "not something research has shown"]
# Features the product does not have yet must not be promised (house rules).
PROMISES = [r"\btrack(s|ing)? how you", r"show you (the|your) results", r"\bwe (measure|track)\b", r"your progress"]
# A study mentioned with its year must name its authors in the same sentence: (Name et al., 2024).
STUDY = re.compile(r"\b(19|20)\d\d (meta-analysis|review|trial|study|crossover)", re.IGNORECASE)
CITATION = re.compile(r"\([A-Z][\w-]+ et al\.,? (19|20)\d\d\)")

# The public pages a visitor reads in the demo clinic, with the copy that comes from the product.
PUBLIC_PAGES = [
    "/p/demo/",
    "/p/demo/practitioners/",
    "/p/demo/practitioners/jonah-lindqvist/",
    "/p/demo/services/",
    "/p/demo/book/cst-60/",
]


def test_a_new_practice_home_page_still_says_the_evidence_is_limited(client: HttpClient, cast: Cast) -> None:
    """Found by a review: a practice made with `practice create` published the heading "An honest
    word about the evidence" over an empty paragraph (domain.md §6 asks for this sentence)."""
    assert cast.tidewater.evidence_text == ""
    page = client.get("/p/tidewater/").text
    evidence = page.split('id="evidence-title"')[1].split("</section>")[0]
    assert 'id="evidence-default"' in evidence
    assert "may help some people" in evidence and "limited and mixed" in evidence
    cast.tidewater.evidence_text = "Our own words on the research."
    cast.tidewater.save()
    evidence = client.get("/p/tidewater/").text.split('id="evidence-title"')[1].split("</section>")[0]
    assert "Our own words on the research." in evidence and "evidence-default" not in evidence


def _sentences(page: str) -> list[str]:
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    text = html.unescape(re.sub(r"<[^>]+>", " ", main))
    text = re.sub(r"\s+", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"'])", text) if s.strip()]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_copy_attributes_unproven_mechanisms_to_practitioners(client: HttpClient, path: str) -> None:
    seed_demo()
    unattributed = [
        sentence
        for sentence in _sentences(client.get(path).text)
        if any(m in sentence.lower() for m in MECHANISMS) and not any(a in sentence.lower() for a in ATTRIBUTIONS)
    ]
    assert unattributed == []


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_copy_cites_the_studies_it_mentions(client: HttpClient, path: str) -> None:
    seed_demo()
    uncited = [s for s in _sentences(client.get(path).text) if STUDY.search(s) and not CITATION.search(s)]
    assert uncited == []


def test_the_evidence_names_the_2024_review() -> None:
    from longtide.sampledata.demo import PRACTICE_TEXT

    assert "Ceballos-Laita et al., 2024" in PRACTICE_TEXT["evidence_text"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_copy_promises_no_feature_that_does_not_exist(client: HttpClient, path: str) -> None:
    seed_demo()
    promises = [s for s in _sentences(client.get(path).text) for p in PROMISES if re.search(p, s, re.IGNORECASE)]
    assert promises == []


def test_the_booking_form_says_who_reads_the_note(client: HttpClient) -> None:
    seed_demo()
    page = html.unescape(client.get("/p/demo/book/first-visit/details/").text)
    assert "Only your practitioner reads this" not in page
    assert "Your practitioner and the clinic's owners can read this; reception staff cannot." in page


def test_practitioners_can_be_filtered_by_style(client: HttpClient) -> None:
    seed_demo()
    everyone = client.get("/p/demo/practitioners/").text
    assert all(name in everyone for name in ["Maya Okafor", "Jonah Lindqvist", "Inès Moreau"])
    biodynamic = client.get("/p/demo/practitioners/?style=biodynamic").text
    assert "Jonah Lindqvist" in biodynamic
    assert "Maya Okafor" not in biodynamic and "Inès Moreau" not in biodynamic


def test_an_unknown_style_says_so_and_shows_everyone(client: HttpClient) -> None:
    seed_demo()
    page = client.get("/p/demo/practitioners/?style=quantum").text
    assert "There is no style called “quantum”" in page
    assert "Maya Okafor" in page


def test_a_practitioner_profile_shows_style_training_and_bio(client: HttpClient) -> None:
    seed_demo()
    page = client.get("/p/demo/practitioners/maya-okafor/").text
    assert "Biomechanical style" in page and "LMT, CST-D" in page
    assert "Upledger" in page and "decade of clinical massage" in page


def test_services_show_duration_and_price(client: HttpClient) -> None:
    seed_demo()
    page = client.get("/p/demo/services/").text
    assert "90 minutes" in page and "$150" in page
    assert "30 minutes" in page and "$65" in page


def test_an_unknown_practice_is_a_404(client: HttpClient) -> None:
    assert client.get("/p/nowhere/").status_code == 404


def test_the_demo_seed_can_run_twice(db: None) -> None:
    first = seed_demo()
    second = seed_demo()
    assert first.pk == second.pk
    assert first.practitioners.active().count() == 3 and first.services.count() == 3
    assert {p.style for p in first.practitioners.all()} == {"biomechanical", "biodynamic", "integrative"}
    assert first.locations.get().time_zone == "America/New_York"
    assert first.locations.get().rooms.count() == 2


def test_a_missing_page_is_a_friendly_404(client: HttpClient) -> None:
    response = client.get("/p/nowhere/book/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.text


def test_a_stale_manage_link_says_what_to_do(client: HttpClient, cast: Cast) -> None:
    response = client.get("/p/tidewater/manage/expired-token/")
    assert response.status_code == 404
    assert "If you followed the link in a booking email" in response.text
