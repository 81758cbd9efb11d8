"""Every word the public pages say comes through Django's translation machinery (issue 7).

The pages are rendered under a pseudo-translation, a catalog that answers every message with the
message in ⟦…⟧ (`gettext`, `ngettext`, `pgettext`, and so `{% translate %}`, `{% blocktranslate %}`
and lazy strings). What is left outside the brackets must be data: what the practice typed (its
name, texts, practitioners, services, addresses), dates and times (written by Babel in the
practice's locale, not by gettext), numbers and punctuation. A word found anywhere else was not
marked, and `makemessages` would not offer it to a translator.
"""

from __future__ import annotations

import gettext as gettext_module
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import models
from django.test import Client as HttpClient
from django.utils import translation
from django.utils.translation import trans_real

from conftest import Cast
from longtide.clients.models import Client
from longtide.notifications.delivery import deliver_due
from longtide.practice.models import Location, Practice, Practitioner, Room, Service
from longtide.sampledata.demo import seed_demo
from longtide.web.public.page_cache import pages

pytestmark = pytest.mark.django_db

OPEN, CLOSE = "⟦", "⟧"
# The current thread's catalog, as translation.activate sets it (django-stubs do not declare it).
ACTIVE: Any = vars(trans_real)["_active"]


class Pseudo(gettext_module.NullTranslations):
    """A catalog in which every message is translated: into itself, in brackets."""

    def gettext(self, message: str) -> str:
        # pgettext asks for "context\x04message" and falls back to the bare message when the answer
        # still holds the separator: answer the message alone, bracketed.
        return OPEN + message.rpartition(trans_real.CONTEXT_SEPARATOR)[2] + CLOSE

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)

    def to_language(self) -> str:
        return settings.LANGUAGE_CODE


@pytest.fixture
def pseudo() -> Iterator[None]:
    """The pseudo catalog as the site's language, for this test: active in this thread (the test
    client serves requests in it), and what `translation.override(LANGUAGE_CODE)` (the code's own
    switch to the site's language, e.g. for an appointment's history) activates too. No page cached
    under it outlives the test, nor is one cached before it served."""
    pages.clear()
    translation.gettext("Book")  # the default catalog (_default) is made now, from the real one
    catalogs: dict[str, Any] = vars(trans_real)["_translations"]
    real = catalogs.get(settings.LANGUAGE_CODE)
    before = getattr(ACTIVE, "value", None)
    catalogs[settings.LANGUAGE_CODE] = ACTIVE.value = Pseudo()
    try:
        yield
    finally:
        if real is None:
            catalogs.pop(settings.LANGUAGE_CODE, None)
        else:
            catalogs[settings.LANGUAGE_CODE] = real
        if before is None:
            del ACTIVE.value
        else:
            ACTIVE.value = before
        pages.clear()


class _Text(HTMLParser):
    """The text a visitor sees or hears: text nodes outside script and style, and the attributes
    read aloud or shown (aria-label, title, placeholder, alt)."""

    SPOKEN = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        self.found.extend(value for name, value in attrs if name in self.SPOKEN and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.found.append(data)


# Babel's day and month names (dates are data), the clock's AM/PM and time zone abbreviations.
DATE_WORDS = re.compile(
    r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(day|sday|nesday|rsday|urday)?\b|"
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\b|\b[AP]M\b|\b[A-Z]{2,4}T\b|\bUTC\b"
)
BRACKETED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


def _data(*extra: str) -> list[str]:
    """What the practice typed (and the names of clients it shows), longest first."""
    found: set[str] = {"Longtide", *extra}  # the software's own name
    for model in (Practice, Location, Room, Practitioner, Service, Client):
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        for row in model.objects.values_list(*fields):
            found.update(str(v).strip() for v in row if v and str(v).strip())
    for location in Location.objects.all():
        found.add(location.one_line_address)
    for person in Practitioner.objects.all():
        found.add(person.initials)
    for value in list(found):  # linebreaks and truncatewords cut the typed text into paragraphs
        found.update(p.strip() for p in re.split(r"\n+|…", value) if len(p.strip()) > 3)
    # Longest first, so that a name inside a longer text goes with it; nothing shorter than two
    # letters (an empty address would otherwise match everywhere).
    return sorted((v for v in found if len(v) >= 2), key=len, reverse=True)


def unmarked(page: str, data: list[str]) -> list[str]:
    """The bits of the page's text that are neither translated nor data."""
    # A translated message may hold markup ({% blocktranslate %}…<a>…</a>…) and other messages (a
    # translated label in it): drop its words, innermost first, and keep its tags.
    while True:
        shorter = BRACKETED.sub(lambda m: " ".join(re.findall(r"<[^>]*>", m.group(0))) or " ", page)
        if shorter == page:
            break
        page = shorter
    parser = _Text()
    parser.feed(page)
    left = []
    for text in parser.found:
        rest = html.unescape(text)
        for value in data:
            if value in rest:
                rest = rest.replace(value, " ")
        cut = rest.strip().removesuffix("…").strip()  # truncatewords: the start of a typed text
        if cut and any(value.startswith(cut) for value in data):
            continue
        rest = DATE_WORDS.sub(" ", rest)
        if re.search(r"[^\W\d_]{2,}", rest):
            left.append(" ".join(text.split()))
    return left


def test_the_pseudo_catalog_is_in_force(pseudo: None) -> None:
    """The check can fail: an English word outside the catalog is found, a marked one is not."""
    seed_demo()
    assert unmarked("<p>⟦Book⟧ Jonah</p><p>Plain words</p>", ["Jonah"]) == ["Plain words"]
    page = HttpClient().get("/p/demo/").text
    assert f"{OPEN}Book an appointment{CLOSE}" in page


PUBLIC = [
    "/p/demo/",
    "/p/demo/practitioners/",
    "/p/demo/practitioners/?style=nonesuch",
    "/p/demo/practitioners/jonah-lindqvist/",
    "/p/demo/services/",
    "/p/demo/book/",
    "/p/demo/book/cst-60/",
    "/p/demo/book/cst-60/times/?practitioner=999999",
    "/p/demo/waitlist/",
    "/p/demo/no-such-page/",
]


def test_the_public_site_is_all_marked(pseudo: None) -> None:
    seed_demo()
    data = _data()
    for path in PUBLIC:
        response = HttpClient().get(path)
        assert response.status_code in (200, 404), path
        left = unmarked(response.text, data)
        assert not left, f"not marked on {path}:\n" + "\n".join(left)


NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_booking_and_the_manage_pages_are_all_marked(pseudo: None, frozen: None, cast: Cast) -> None:
    client = HttpClient()
    book = "/p/tidewater/book/cst-60/"
    steps = [client.get("/p/tidewater/book/"), client.get(book), client.get(f"{book}times/?practitioner=any")]
    slot = f"2026-12-02T15:00:00+00:00|{cast.ana.pk}"
    steps.append(client.get(f"{book}details/?slot={slot}"))
    typed = {"slot": slot, "first_name": "Cleo", "last_name": "Park", "email": "cleo@example.test", "note": ""}
    steps.append(client.post(f"{book}details/", {**typed, "email": "not an address"}))  # errors, kept
    sent = client.post(f"{book}details/", typed, follow=True)
    steps.append(sent)
    deliver_due(worker="test")
    token = re.search(r"/p/tidewater/manage/([\w-]+)/", str(mail.outbox[-1].body))
    assert token, mail.outbox[-1].body
    manage = f"/p/tidewater/manage/{token.group(1)}/"
    steps.append(client.get(manage))  # held: confirm or release
    steps.append(client.post(f"{manage}confirm/", follow=True))  # booked, with the message
    steps += [client.get(f"{manage}cancel/"), client.get(f"{manage}reschedule/")]
    data = _data("cleo@example.test", "not an address")
    for response in steps:
        assert response.status_code in (200, 400), response.request["PATH_INFO"]
        left = unmarked(response.text, data)
        assert not left, f"not marked on {response.request['PATH_INFO']}:\n" + "\n".join(left)
