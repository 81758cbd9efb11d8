"""The practice's client list: finding clients by name, email or phone, and adding or correcting one.

Searches are prefix searches on columns with an index each (migration 0003), so a clinic with 100,000
clients answers as fast as one with a hundred: a name word matches the start of a first or last name
("par" finds Park, "cleo pa" finds Cleo Park), text with an @ the start of an email address, and digits
the start of the phone number's digits ("207 555" finds "(207) 555-0100").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from longtide.clients.models import Client, ClientQuerySet
from longtide.practice.models import Practice

# Longer input is cut, not refused: nobody's name starts with 100 characters of anything.
MAX_QUERY = 100
_MAX_WORDS = 4
_LETTER = re.compile(r"[^\W\d_]")


def clean_query(text: str) -> str:
    """Return the search text as it will be used: no control characters, single spaces, at most 100."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())[:MAX_QUERY]


@dataclass(frozen=True, slots=True)
class _Terms:
    """What a search looks for, as `search_clients` and `list_clients` both read it: `kind` "all" (no
    text), "none" (fewer than two digits and no letter), "email" (text with an @: the address's start,
    lower case), "phone" (the digits' start) or "words" (each word, lower case, the start of the first
    or the last name; a single word also the start of the address)."""

    kind: str
    values: tuple[str, ...] = ()


def _terms(text: str) -> _Terms:
    text = clean_query(text)
    if not text:
        return _Terms("all")
    if "@" in text:
        return _Terms("email", (text.lower(),))
    if not _LETTER.search(text):
        digits = re.sub(r"\D", "", text)
        return _Terms("phone", (digits,)) if len(digits) >= 2 else _Terms("none")
    return _Terms("words", tuple(text.lower().split()[:_MAX_WORDS]))


def search_clients(practice: Practice, text: str) -> ClientQuerySet:
    """Return the practice's clients matching `text` (all of them for empty text), in list order."""
    clients = Client.objects.for_practice(practice).current().order_by("last_name", "first_name", "id")
    terms = _terms(text)
    if terms.kind == "all":
        return clients
    if terms.kind == "none":
        return clients.none()
    if terms.kind == "email":
        return clients.alias(email_lower=Lower("email")).filter(email_lower__startswith=terms.values[0])
    if terms.kind == "phone":
        return clients.filter(phone_digits__startswith=terms.values[0])
    words = terms.values
    clients = clients.alias(first_lower=Lower("first_name"), last_lower=Lower("last_name"))
    for word in words:
        clients = clients.filter(Q(first_lower__startswith=word) | Q(last_lower__startswith=word))
    if len(words) == 1:
        # One word could also be the start of an address ("cleo.park"): one more indexed branch.
        clients = (
            Client.objects.for_practice(practice)
            .current()
            .alias(first_lower=Lower("first_name"), last_lower=Lower("last_name"), email_lower=Lower("email"))
            .filter(
                Q(first_lower__startswith=words[0])
                | Q(last_lower__startswith=words[0])
                | Q(email_lower__startswith=words[0])
            )
            .order_by("last_name", "first_name", "id")
        )
    return clients


@dataclass(frozen=True, slots=True)
class ListedClient:
    """A client as the client list shows one (what `list_clients` reads)."""

    pk: int
    first_name: str
    last_name: str
    email: str
    phone: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class ListedPage:
    clients: list[ListedClient]
    counted: int  # matches, counted up to `cap` + 1 (more than `cap`: "more than 1,000")


def _where(terms: _Terms) -> tuple[str, list[Any]]:
    """The SQL condition of a search (after the practice and `merged_into_id IS NULL`), written as
    Django writes `search_clients`' lookups on this database: `LOWER(column) LIKE 'prefix%'` with the
    same escaping of `%`, `_` and `\\`, so the same prefix indexes answer (migration 0003)."""
    if terms.kind == "all":
        return "TRUE" if connection.vendor == "postgresql" else "1", []
    operators: dict[str, str] = connection.operators  # type: ignore[attr-defined]  # (each backend has them)
    like = operators["startswith"]  # "LIKE %s", and on SQLite "ESCAPE '\\'"
    cast = connection.ops.lookup_cast("startswith", "CharField")  # "%s::text" on PostgreSQL
    patterns = [f"{connection.ops.prep_for_like_query(value)}%" for value in terms.values]

    def starts(column: str) -> str:
        return f"{cast % column} {like}"

    if terms.kind == "email":
        return starts("LOWER(email)"), patterns
    if terms.kind == "phone":
        return starts("phone_digits"), patterns
    columns = ["LOWER(first_name)", "LOWER(last_name)"] + (["LOWER(email)"] if len(patterns) == 1 else [])
    either = "(" + " OR ".join(starts(column) for column in columns) + ")"
    return " AND ".join([either] * len(patterns)), [p for p in patterns for _ in columns]


def list_clients(practice_id: int, text: str, *, offset: int, limit: int, cap: int) -> ListedPage:
    """The client list's rows from `offset` (at most `limit`, and none past the `cap`-th match) and
    the number of matches counted up to `cap` + 1: what `search_clients(...)[offset:offset + limit]`
    and its capped count return, read in one statement of hand-written SQL (the ORM's building and
    compiling of the two queries cost three times the database's time: bench/README "Client search
    in one statement"). Only when the page is past the last match is the count read alone (and
    past the cap only the count is read)."""
    terms = _terms(text)
    if terms.kind == "none":
        return ListedPage([], 0)
    where, params = _where(terms)
    matching = f"FROM clients_client WHERE practice_id = %s AND merged_into_id IS NULL AND {where}"
    counting = f"SELECT count(*) FROM (SELECT 1 {matching} LIMIT {int(cap) + 1}) AS counted"  # noqa: S608 (our columns, placeholders)
    values = [practice_id, *params]
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if offset < cap:  # pages end at the cap: a page past it is not read (nor scanned for)
            cursor.execute(
                f"SELECT id, first_name, last_name, email, phone, ({counting}) {matching}"
                " ORDER BY last_name, first_name, id LIMIT %s OFFSET %s",
                [*values, *values, limit, offset],
            )
            rows = cursor.fetchall()
        if rows:
            counted = int(rows[0][5])
        elif offset == 0:
            counted = 0
        else:
            cursor.execute(counting, values)
            counted = int(cursor.fetchone()[0])
    shown = rows[: max(0, min(counted, cap) - offset)]
    return ListedPage([ListedClient(*row[:5]) for row in shown], counted)


@dataclass(frozen=True, slots=True)
class ContactDetails:
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""


class ClientRefused(Exception):
    """A change to the client list that cannot be made, with a message for the person making it."""

    def __init__(self, field: str | None, message: str, *, other: Client | None = None) -> None:
        super().__init__(message)
        self.field, self.message, self.other = field, message, other


EMAIL_TAKEN = gettext_lazy("Another client of the practice already has this email address.")


def _email_owner(practice: Practice, email: str, *, besides: int | None) -> Client | None:
    if not email:
        return None
    return Client.objects.with_email(practice, email).exclude(pk=besides or 0).first()


def add_client(practice: Practice, details: ContactDetails) -> Client:
    """Add a client. Email is optional (one of email and phone is required by the forms); an email
    address belongs to one client of the practice at most: ClientRefused names the other one."""
    if other := _email_owner(practice, details.email, besides=None):
        raise ClientRefused("email", str(EMAIL_TAKEN), other=other)
    try:
        with transaction.atomic():
            return Client.objects.create(
                practice=practice,
                first_name=details.first_name,
                last_name=details.last_name,
                email=details.email,
                phone=details.phone,
            )
    except IntegrityError:  # added at the same moment by someone else (or an online booking)
        raise ClientRefused(
            "email", str(EMAIL_TAKEN), other=_email_owner(practice, details.email, besides=None)
        ) from None


def update_client(client: Client, details: ContactDetails) -> Client:
    """Correct a client's name and contact details (the same rules as `add_client`)."""
    if other := _email_owner(client.practice, details.email, besides=client.pk):
        raise ClientRefused("email", str(EMAIL_TAKEN), other=other)
    client.first_name, client.last_name = details.first_name, details.last_name
    client.email, client.phone = details.email, details.phone
    try:
        with transaction.atomic():
            client.save(update_fields=["first_name", "last_name", "email", "phone"])
    except IntegrityError:
        client.refresh_from_db()
        raise ClientRefused(
            "email", str(EMAIL_TAKEN), other=_email_owner(client.practice, details.email, besides=client.pk)
        ) from None
    client.refresh_from_db(fields=["phone_digits"])
    return client
