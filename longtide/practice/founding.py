"""Start a practice: the operator's `longtide practice create` (an empty practice and its first owner)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_slug
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from longtide.practice.invitations import IssuedLink, issue_link
from longtide.practice.models import Practice, Role, StaffMembership
from longtide.practice.staff import MAX_EMAIL_LENGTH, find_or_make_user, normalize_email

SLUG_MAX = Practice._meta.get_field("slug").max_length or 60
NAME_MAX = Practice._meta.get_field("name").max_length or 120
# Paths under the site root that a practice slug must not shadow in people's minds ("admin" or
# "staff" as a clinic's slug only confuses), and every fixed first segment under /staff/ ("login",
# "account", "invitations"…): a practice of that slug would lose /staff/<slug>/ to those pages
# (tests/setup/test_reserved_slugs.py checks the URLs against this list).
# `demo` and `large` are the sample data's (`longtide demo`, `longtide seed-large`'s default), which
# those commands replace when re-seeding.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "staff",
        "static",
        "media",
        "login",
        "logout",
        "welcome",
        "settings",
        "demo",
        "large",
        "account",
        "invitations",
    }
)


@dataclass(frozen=True, slots=True)
class Founded:
    practice: Practice
    owner_created: bool  # False when an existing login was made the owner
    link: IssuedLink | None  # None when that login already has a password (a link would replace it)


def check_new_practice(*, slug: str, name: str, owner_email: str) -> dict[str, str]:
    """Return a message per invalid argument (empty when all are fine); nothing is written."""
    errors: dict[str, str] = {}
    if not slug:
        errors["slug"] = _("Give the practice a slug: lowercase letters, digits and hyphens, e.g. stillwater.")
    elif len(slug) > SLUG_MAX:
        errors["slug"] = _("The slug is %(n)d characters long; at most %(max)d are allowed.") % {
            "n": len(slug),
            "max": SLUG_MAX,
        }
    elif slug != slug.lower() or not _valid_slug(slug):
        errors["slug"] = _(
            "%(slug)r is not a valid slug: use lowercase letters, digits and hyphens only, e.g. stillwater."
        ) % {"slug": slug}
    elif slug in RESERVED_SLUGS:
        errors["slug"] = _("%(slug)r is reserved; choose another slug.") % {"slug": slug}
    elif Practice.objects.filter(slug=slug).exists():
        errors["slug"] = _("The slug %(slug)r is already taken by another practice.") % {"slug": slug}
    name = name.strip()
    if not name:
        errors["name"] = _("Give the practice a name.")
    elif len(name) > NAME_MAX or "\x00" in name:
        errors["name"] = _("The name must be at most %(max)d characters, without control characters.") % {
            "max": NAME_MAX
        }
    email = normalize_email(owner_email)
    try:
        EmailValidator()(email)
        if len(email) > MAX_EMAIL_LENGTH:
            raise ValidationError("too long")
    except ValidationError:
        errors["owner"] = _("%(email)r is not a usable email address for the owner.") % {"email": owner_email}
    return errors


def _valid_slug(slug: str) -> bool:
    try:
        validate_slug(slug)
    except ValidationError:
        return False
    return slug.isascii() and "_" not in slug


def create_practice(*, slug: str, name: str, owner_email: str, now: datetime) -> Founded:
    """Create an empty practice and its owner (a new login, or an existing one with that email), and
    issue the owner a one-time link to set a password, unless the login already has one (it signs in
    with it, as invite_staff does). Raise ValidationError (and write nothing) when an argument is unusable."""
    with transaction.atomic():
        errors = check_new_practice(slug=slug, name=name, owner_email=owner_email)
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                practice = Practice.objects.create(slug=slug, name=name.strip())
        except IntegrityError:  # another `practice create` took the slug since the check
            raise ValidationError(
                {"slug": _("The slug %(slug)r is already taken by another practice.") % {"slug": slug}}
            ) from None
        user, created = find_or_make_user(owner_email)
        StaffMembership.objects.create(practice=practice, user=user, role=Role.OWNER)
        link = None if user.has_usable_password() else issue_link(practice=practice, user=user, by=None, now=now)
    return Founded(practice, created, link)
