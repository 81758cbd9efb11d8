"""The practice's client list: finding clients by name, email or phone, and adding or correcting one.

Searches are prefix searches on columns with an index each (migration 0003), so a clinic with 100,000
clients answers as fast as one with a hundred: a name word matches the start of a first or last name
("par" finds Park, "cleo pa" finds Cleo Park), text with an @ the start of an email address, and digits
the start of the phone number's digits ("207 555" finds "(207) 555-0100").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
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


def search_clients(practice: Practice, text: str) -> ClientQuerySet:
    """Return the practice's clients matching `text` (all of them for empty text), in list order."""
    clients = Client.objects.for_practice(practice).current().order_by("last_name", "first_name", "id")
    text = clean_query(text)
    if not text:
        return clients
    digits = re.sub(r"\D", "", text)
    if "@" in text:
        return clients.alias(email_lower=Lower("email")).filter(email_lower__startswith=text.lower())
    if not _LETTER.search(text):
        if len(digits) < 2:
            return clients.none()
        return clients.filter(phone_digits__startswith=digits)
    words = text.lower().split()[:_MAX_WORDS]
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
