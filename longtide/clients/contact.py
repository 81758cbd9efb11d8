"""How a client's contact details must look: one rule for the booking pages, the staff forms and the API."""

from __future__ import annotations

from django.core.validators import RegexValidator

PHONE_PATTERN = r"^[0-9+()./\- ]{6,40}$"
PHONE = RegexValidator(PHONE_PATTERN, "Enter a phone number using digits, spaces, + ( ) - or .")

REACH_ONE_WAY = "Give an email address or a phone number, so that the practice can reach the client."


def can_be_reached(email: str, phone: str) -> bool:
    """A client needs at least one way to be reached: an email address or a phone number."""
    return bool(email.strip() or phone.strip())
