"""Licensed questionnaires (issue 12): a practice may send one only once it has recorded that it
holds the licence and supplied the licensed wording for every question and answer. The rules of
the wording are pure (outcomes/licensing.py); this module stores them (InstrumentLicence) and gives
the rest of the app the instrument as the practice may show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from longtide.audit.trail import Actor
from longtide.measurement.models import InstrumentLicence
from longtide.outcomes import instruments
from longtide.outcomes.instruments.definition import Instrument
from longtide.outcomes.licensing import LicensedText, text_problems, with_text
from longtide.practice.models import Practice

REFERENCE_MAX = 200
TEXT_MAX = 1000


class Unlicensed(LookupError):
    """The practice has no current licence and wording for this licensed questionnaire."""


def licensed() -> list[Instrument]:
    """The registered questionnaires that need a practice's licence, in the registry's order."""
    return [i for i in instruments.current() if i.licence.requires_practice_licence]


def _text(row: InstrumentLicence) -> LicensedText:
    wording = row.wording
    return LicensedText(
        instrument=row.instrument,
        version=row.version,
        item_texts=dict(wording.get("items", {})),
        option_labels={
            key: {int(v): label for v, label in labels.items()} for key, labels in wording.get("options", {}).items()
        },
        instructions=wording.get("instructions") or None,
    )


def current(practice: Practice, instrument: Instrument) -> InstrumentLicence | None:
    return InstrumentLicence.objects.filter(
        practice=practice, instrument=instrument.id, version=instrument.version, withdrawn_at__isnull=True
    ).first()


def texts(practice: Practice) -> dict[tuple[str, int], LicensedText]:
    """Every current licensed wording of the practice, by (instrument, version): one query."""
    rows = InstrumentLicence.objects.filter(practice=practice, withdrawn_at__isnull=True)
    return {(row.instrument, row.version): _text(row) for row in rows}


def instrument_for(practice: Practice, instrument_id: str, version: int | None = None) -> Instrument:
    """The instrument as this practice shows it: a free one as shipped, a licensed one with the
    practice's wording filled in. Raises Unlicensed when a licensed one never had any."""
    base = instruments.get(instrument_id, version)
    if not base.licence.requires_practice_licence:
        return base
    # The latest wording, withdrawn or not: a link sent while the practice held the licence still
    # opens (only new sends need a current licence, `offered`).
    row = InstrumentLicence.objects.filter(practice=practice, instrument=base.id, version=base.version).first()
    if row is None:
        raise Unlicensed(instrument_id)
    return with_text(base, _text(row))


@dataclass(frozen=True)
class Typed:
    reference: str
    instructions: str
    items: Mapping[str, str]
    options: Mapping[str, Mapping[int, str]]


def record(practice: Practice, instrument: Instrument, typed: Typed, *, by: Actor, now: datetime) -> list[str]:
    """Record the licence and its wording (withdrawing the previous wording). Returns the problems
    (nothing written) or an empty list."""
    text = LicensedText(
        instrument.id, instrument.version, dict(typed.items), dict(typed.options), typed.instructions or None
    )
    problems = text_problems(instrument, text)
    if not typed.reference.strip():
        problems.insert(0, "say which licence the practice holds (its reference or holder)")
    if problems:
        return problems
    with transaction.atomic():
        Practice.objects.select_for_update().filter(pk=practice.pk).first()
        InstrumentLicence.objects.filter(
            practice=practice, instrument=instrument.id, version=instrument.version, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
        InstrumentLicence.objects.create(
            practice=practice,
            instrument=instrument.id,
            version=instrument.version,
            licence_reference=typed.reference.strip(),
            wording={
                "instructions": typed.instructions,
                "items": dict(typed.items),
                "options": {
                    key: {str(v): label for v, label in labels.items()} for key, labels in typed.options.items()
                },
            },
            sha256=text.sha256(),
            recorded_at=now,
            recorded_by=by.user if isinstance(by.user, User) else None,
        )
    return []


def withdraw(practice: Practice, instrument: Instrument, *, now: datetime) -> bool:
    """The practice no longer holds the licence: the questionnaire is no longer offered (links
    already sent still open, with the last wording recorded; each answer stores the hash of what it showed)."""
    return bool(
        InstrumentLicence.objects.filter(
            practice=practice, instrument=instrument.id, version=instrument.version, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
    )
