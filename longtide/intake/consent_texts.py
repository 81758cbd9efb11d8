"""The consent documents a practice starts with (written for Longtide; a practice publishes its own
versions). No Django. Each is signed against the SHA-256 of its exact text (domain.md §5)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TREATMENT = "treatment"
    PELVIC = "pelvic_diaphragm"
    INTRAORAL = "intraoral"
    PRIVACY = "privacy"
    REMINDERS = "reminders"
    DEIDENTIFIED = "deidentified_data"


# Needed before a first session; the others are the client's choice.
REQUIRED = frozenset({Kind.TREATMENT, Kind.PRIVACY})


def text_hash(text: str) -> str:
    """SHA-256 of the document's exact text (UTF-8), as stored with every signature."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Document:
    kind: Kind
    title: str
    text: str
    agree_label: str


TREATMENT = Document(
    Kind.TREATMENT,
    "Consent to craniosacral therapy",
    """What craniosacral therapy (CST) involves: your practitioner uses light, still touch — often no more \
pressure than the weight of a coin — on areas such as your feet, legs, hips and pelvis, the base of your \
spine, your ribs, shoulders, neck, head and face. You stay fully clothed. You usually lie on your back or \
side, or sit; your practitioner will tell you where they are about to place their hands.

What people notice afterwards: most people feel relaxed. Some feel tired, have a mild headache, feel \
emotional or notice aches for a day or two. These usually pass on their own; please tell us if they do not.

What the evidence says: CST may help some people, but the research is limited and mixed. Some small \
studies found less pain than with a sham treatment; a larger review found no clinically relevant benefit. \
CST is not a substitute for seeing a doctor, and your practitioner does not diagnose medical conditions.

Other options: you can see your doctor or another health professional instead of, or as well as, CST; \
physiotherapy, exercise, psychological therapies and medicines are options for many of the reasons people \
come.

Your choice: you can ask questions at any time, ask your practitioner to change or stop what they are doing \
at any moment, and withdraw this consent at any time without giving a reason.""",
    "I have read this and agree to receive craniosacral therapy.",
)
PELVIC = Document(
    Kind.PELVIC,
    "Optional: the pelvic diaphragm hold",
    """The pelvic diaphragm hold uses one hand under your lower back or sacrum and one resting over your lower \
abdomen, above the pubic bone, through your clothes. Your practitioner will always ask again before using \
it, and you can decline it now or on the day without it affecting the rest of your session.""",
    "I agree that my practitioner may offer the pelvic diaphragm hold (they will ask again on the day).",
)
INTRAORAL = Document(
    Kind.INTRAORAL,
    "Optional: work inside the mouth",
    """Some jaw (TMJ) techniques are done with a gloved finger inside the mouth, resting on the teeth or gums. \
It is only offered where your practitioner's training and local rules allow it. They will explain it and \
ask again before starting, and you can stop it at any moment by raising a hand.""",
    "I agree that my practitioner may offer work inside the mouth (they will ask again on the day).",
)
PRIVACY = Document(
    Kind.PRIVACY,
    "Privacy notice",
    """We keep your contact details, bookings, this form, your consents and your practitioner's session \
notes so that we can care for you safely. Only the people caring for you and the clinic's owner can read \
your health answers; reception staff see your bookings and contact details only. Every time someone opens \
your record it is logged. We keep records for as long as the law where we practise requires, then \
destroy them. You can ask for a copy of your record, or for corrections, at any time. Emails and text \
messages from us never contain health information.""",
    "I have read the privacy notice.",
)
REMINDERS = Document(
    Kind.REMINDERS,
    "Optional: appointment reminders",
    """We can remind you of your appointments by email (or by text message if you have agreed to texts). \
Reminders say only when and where your appointment is — never anything about your health.""",
    "Yes, please send me appointment reminders.",
)
DEIDENTIFIED = Document(
    Kind.DEIDENTIFIED,
    "Optional: your answers in the clinic's anonymous figures",
    """The clinic counts how clients' answers to questionnaires change over time, to see honestly how people \
get on. If you agree, your answers are included with names, contact details and dates removed, and no \
figure is shared that describes fewer than five people. Saying no changes nothing about your care.""",
    "Yes, my answers may be included in the clinic's anonymous figures.",
)
DEFAULTS: tuple[Document, ...] = (TREATMENT, PELVIC, INTRAORAL, PRIVACY, REMINDERS, DEIDENTIFIED)
