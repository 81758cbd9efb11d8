"""The safety screen: questions, their levels and the rule that turns answers into flags. No Django.

The screen flags and routes; it never diagnoses (domain.md §3). Every item is a plain-language
yes/no question; a "yes" raises a flag with the item's level:

- EMERGENCY: tell the client to seek emergency care now; do not treat; the booking is held;
- REFER: medical clearance before treatment; the booking needs the practitioner's review;
- PRECAUTION: treat with modification; shown on the chart and the appointment.

Some flags come from facts rather than a question (a client under 18, consent to intra-oral
work). The screen is data: a versioned tuple of `Item`s. A practice may add its own items
(`extend`) but never drop or weaken a shipped one (`check_not_weaker`).

`covers` names the domain.md §3 rules an item asks about, so a table-driven test can walk every
rule of §3 and find the item and level that answers it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

from longtide.lib.i18n_marks import MarkedError, gettext_noop

SHIPPED_VERSION = "2026.1"
ADULT_AGE = 18
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,48}$")


class Level(IntEnum):
    """A flag's level; a higher number is more serious (the screen's result is the highest)."""

    PRECAUTION = 1
    REFER = 2
    EMERGENCY = 3

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @classmethod
    def parse(cls, value: str) -> Level:
        try:
            return cls[value.upper()]
        except KeyError as exc:
            raise ScreenError(
                gettext_noop("Unknown level “%(level)s”: use PRECAUTION, REFER or EMERGENCY."), level=value
            ) from exc


@dataclass(frozen=True, slots=True)
class Item:
    """One screen question (or, with `fact`, a flag raised by a fact instead of a question)."""

    key: str
    question: str  # what the client reads, in plain language
    level: Level
    staff_label: str  # what staff read on the flag (short)
    covers: tuple[str, ...] = ()
    urgent: bool = False  # REFER urgently / same day
    crisis: bool = False  # thoughts of self-harm: the crisis protocol
    fact: str = ""  # raised by a fact ("minor", "intraoral_consent"), not asked
    shipped: bool = True

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "question": self.question,
            "level": self.level.name,
            "staff_label": self.staff_label,
            "urgent": self.urgent,
            "crisis": self.crisis,
        }


def _q(key: str, question: str, level: Level, staff: str, *covers: str, **extra: bool | str) -> Item:
    return Item(key, question, level, staff, tuple(covers), **extra)  # type: ignore[arg-type]


E, R, P = Level.EMERGENCY, Level.REFER, Level.PRECAUTION

# The shipped screen. Questions are client wording: plain, kind, no diagnosis. Order is the order asked.
SHIPPED: tuple[Item, ...] = (
    # Right now: the emergencies first.
    _q(
        "thunderclap",
        gettext_noop(
            "In the last four weeks, have you had a sudden, very severe headache that peaked within a minute, "
            "or the worst headache of your life?"
        ),
        E,
        "Thunderclap or worst-ever headache",
        "snnoop.thunderclap",
    ),
    _q(
        "neuro_symptoms",
        gettext_noop(
            "In the last few weeks, have you had weakness, numbness, a drooping face, trouble speaking, loss of "
            "vision, confusion, fainting or a seizure — with or without a headache?"
        ),
        E,
        "Headache with neurological symptoms",
        "snnoop.neuro_deficit",
        "cst.stroke_current_symptoms",
    ),
    _q(
        "fever_neck_rash",
        gettext_noop("Do you have a fever together with a headache, a stiff neck or a rash?"),
        E,
        "Fever with headache, stiff neck or rash",
        "cst.fever_headache_stiff_neck",
        "snnoop.fever_stiff_neck_rash",
    ),
    _q(
        "head_injury_symptoms",
        gettext_noop(
            "Since a blow to the head or a fall, have you had vomiting, a headache that keeps getting worse, "
            "confusion, unusual sleepiness or a seizure?"
        ),
        E,
        "Head injury with worsening symptoms",
        "cst.head_injury_symptoms",
    ),
    _q(
        "headache_after_injury",
        gettext_noop("Did a headache start after a blow to the head or a fall in the last few weeks?"),
        E,
        "Headache after a head injury",
        "snnoop.post_traumatic",
    ),
    _q(
        "red_eye",
        gettext_noop("Do you have a painful red eye, or do you see haloes around lights?"),
        E,
        "Painful red eye or haloes",
        "snnoop.red_eye",
    ),
    _q(
        "neck_dizzy",
        gettext_noop(
            "Do you have neck pain together with dizziness, double vision, or trouble speaking or swallowing?"
        ),
        E,
        "Neck pain with dizziness, double vision, speech or swallowing trouble",
        "extra.neck_dizziness",
    ),
    _q(
        "saddle_bladder",
        gettext_noop(
            "Do you have numbness around your bottom or genitals, or new trouble controlling your bladder or bowels?"
        ),
        E,
        "Saddle numbness or new bladder/bowel trouble",
        "extra.saddle_numbness",
    ),
    _q(
        "chest_exertion",
        gettext_noop(
            "Do you get jaw or shoulder pain when you exert yourself, together with chest discomfort or tightness?"
        ),
        E,
        "Jaw or shoulder pain on exertion with chest discomfort",
        "extra.cardiac",
    ),
    _q(
        "self_harm",
        gettext_noop("Are you having thoughts of harming yourself or of ending your life?"),
        E,
        "Thoughts of self-harm: crisis protocol",
        "extra.self_harm",
        crisis=True,
    ),
    # Medical clearance before treatment.
    _q(
        "stroke_recent",
        gettext_noop("In the last 12 months, have you had a stroke, a bleed in the brain, or a “mini-stroke” (TIA)?"),
        R,
        "Recent stroke, brain bleed or TIA",
        "cst.stroke_recent",
    ),
    _q(
        "aneurysm",
        gettext_noop(
            "Have you been told you have a brain aneurysm or an AVM (a tangle of blood vessels in the brain) that "
            "has not been treated?"
        ),
        R,
        "Known unsecured aneurysm or AVM",
        "cst.aneurysm_avm",
    ),
    _q(
        "head_injury_recent",
        gettext_noop(
            "In the last three months, have you had a skull fracture, a concussion or a hard blow to the head?"
        ),
        R,
        "Recent skull fracture, head injury or concussion",
        "cst.head_injury_recent",
    ),
    _q(
        "pressure_signs",
        gettext_noop(
            "Has a doctor told you that you have raised pressure inside your head, or do you have headaches with "
            "blurred vision that are worse lying down or first thing in the morning?"
        ),
        R,
        "Signs of raised intracranial pressure",
        "cst.raised_icp",
    ),
    _q(
        "chiari",
        gettext_noop("Have you been told you have a Chiari malformation?"),
        R,
        "Chiari malformation",
        "cst.chiari",
    ),
    _q(
        "spinal_procedure",
        gettext_noop(
            "In the last three months, have you had a spinal tap (lumbar puncture), a spinal or epidural "
            "anaesthetic, surgery on your head or spine, or a spinal-fluid leak — or do you have a shunt?"
        ),
        R,
        "Recent lumbar puncture, CSF leak, spinal anaesthetic, cranial/spinal surgery, or shunt",
        "cst.csf_procedure",
    ),
    _q(
        "seizure_unstable",
        gettext_noop(
            "If you have a brain tumour or seizures: has anything changed in the last three months (new or more "
            "seizures, new symptoms, a change of treatment)?"
        ),
        R,
        "Brain tumour or seizure disorder, not stable",
        "cst.tumour_seizure_unstable",
    ),
    _q(
        "neck_instability_symptoms",
        gettext_noop(
            "Does moving your neck bring on pins and needles, weakness, dizziness or a feeling of your legs giving way?"
        ),
        R,
        "Possible upper-cervical instability with symptoms",
        "cst.cervical_instability_symptoms",
    ),
    _q(
        "pregnancy_headache",
        gettext_noop(
            "Are you pregnant, or did you give birth in the last six weeks — and do you have a new headache since then?"
        ),
        R,
        "New headache in pregnancy or within 6 weeks after birth: refer urgently",
        "cst.pregnancy_headache",
        urgent=True,
    ),
    _q(
        "over_50_new_headache",
        gettext_noop(
            "Are you over 50 with a new kind of headache — especially with a tender scalp, jaw pain when chewing, "
            "or changes in your vision?"
        ),
        R,
        "New headache after 50: refer same day",
        "snnoop.older_onset",
        urgent=True,
    ),
    _q(
        "headache_pattern",
        gettext_noop(
            "Have your headaches changed pattern, started within the last three months, or been getting steadily worse?"
        ),
        R,
        "Headache pattern change, new or progressive",
        "snnoop.pattern_change",
    ),
    _q(
        "headache_positional",
        gettext_noop(
            "Do your headaches change a lot when you stand up or lie down, or come on with coughing, sneezing, "
            "straining or exercise?"
        ),
        R,
        "Positional or Valsalva-triggered headache",
        "snnoop.positional_precipitated",
    ),
    _q(
        "cancer_immune",
        gettext_noop(
            "Have you had cancer, or do you have a weakened immune system (for example from HIV, chemotherapy or "
            "medicines that suppress the immune system)?"
        ),
        R,
        "Cancer history or weakened immune system",
        "snnoop.cancer_immune",
    ),
    _q(
        "painkiller_days",
        gettext_noop(
            "Do you take painkillers for headaches on 10 or more days a month, or did your headaches start around "
            "when you began a new medicine?"
        ),
        R,
        "Painkiller overuse or headache since a new medicine: GP review",
        "snnoop.medication",
    ),
    # Treat with modification.
    _q(
        "bleeding",
        gettext_noop(
            "Do you have a bleeding disorder, or take blood thinners (for example warfarin, apixaban, "
            "rivaroxaban or heparin)?"
        ),
        P,
        "Bleeding disorder or anticoagulants",
        "cst.bleeding",
    ),
    _q(
        "tumour_seizure",
        gettext_noop("Do you have a brain tumour, epilepsy or another seizure condition?"),
        P,
        "Brain tumour or seizure disorder",
        "cst.tumour_seizure",
    ),
    _q(
        "neck_instability",
        gettext_noop(
            "Have you been told the top of your neck may be unstable (for example after an injury, or with "
            "rheumatoid arthritis or Down syndrome)?"
        ),
        P,
        "Upper-cervical instability",
        "cst.cervical_instability",
    ),
    _q(
        "pregnant",
        gettext_noop("Are you pregnant?"),
        P,
        "Pregnancy",
        "cst.pregnancy",
    ),
    _q(
        "trauma",
        gettext_noop(
            "Is there any trauma in your past that you would like your practitioner to keep in mind? You do not "
            "need to say what it was."
        ),
        P,
        "Trauma history: trauma-informed approach, agree stop signals",
        "cst.trauma",
    ),
    # Raised by facts, not asked.
    Item(
        "minor",
        "",
        P,
        "Under 18: guardian consent, guardian present",
        ("cst.children",),
        fact="minor",
    ),
    Item(
        "intraoral",
        "",
        P,
        "Consented to intra-oral work: check scope of practice",
        ("cst.intraoral",),
        fact="intraoral_consent",
    ),
)


def questions(items: Sequence[Item]) -> list[Item]:
    """The items the client is asked (facts are not questions)."""
    return [item for item in items if not item.fact]


@dataclass(frozen=True, slots=True)
class Flag:
    """A raised flag: which item, at which level."""

    key: str
    level: Level
    staff_label: str
    urgent: bool = False
    crisis: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    """What the screen found: every flag, highest first, and the highest level (None: nothing)."""

    flags: tuple[Flag, ...] = ()

    @property
    def level(self) -> Level | None:
        return max((flag.level for flag in self.flags), default=None)

    @property
    def crisis(self) -> bool:
        return any(flag.crisis for flag in self.flags)


def missing_answers(items: Sequence[Item], answers: Mapping[str, bool | None]) -> list[str]:
    """Keys of questions without a yes or a no: every question must be answered."""
    return [item.key for item in questions(items) if answers.get(item.key) not in (True, False)]


def evaluate(items: Sequence[Item], answers: Mapping[str, bool | None], facts: Iterable[str] = ()) -> Result:
    """Return the flags the answers and facts raise, the most serious first (stable in screen order).

    An unanswered question raises nothing here; `missing_answers` is the form's check that every
    question was answered before the screen is taken as done."""
    known = set(facts)
    raised = [
        Flag(item.key, item.level, item.staff_label, item.urgent, item.crisis)
        for item in items
        if (item.fact and item.fact in known) or (not item.fact and answers.get(item.key) is True)
    ]
    raised.sort(key=lambda flag: -flag.level)
    return Result(tuple(raised))


def age_on(born: tuple[int, int, int], today: tuple[int, int, int]) -> int:
    """Whole years between two (year, month, day) dates."""
    years = today[0] - born[0]
    return years - 1 if (today[1], today[2]) < (born[1], born[2]) else years


# -- a practice's own items -------------------------------------------------------------------------


class ScreenError(MarkedError):
    """A practice's screen would drop, change or weaken a shipped item, or has a malformed item (its
    message is marked for translation)."""


def item_from_dict(data: Mapping[str, object]) -> Item:
    """Read a practice's own item (as stored in a form version)."""
    key, question, label = str(data.get("key", "")), str(data.get("question", "")).strip(), data.get("staff_label")
    if not KEY_PATTERN.match(key):
        raise ScreenError(
            gettext_noop("Item key “%(key)s”: use 2–49 lowercase letters, digits or _ starting with a letter."),
            key=key,
        )
    if not question:
        raise ScreenError(gettext_noop("Item %(key)s: the question is empty."), key=key)
    return Item(
        key,
        question,
        Level.parse(str(data.get("level", ""))),
        str(label or question)[:200],
        urgent=bool(data.get("urgent", False)),
        crisis=bool(data.get("crisis", False)),
        shipped=False,
    )


def check_not_weaker(items: Sequence[Item], shipped: Sequence[Item] = SHIPPED) -> None:
    """Refuse a screen that drops a shipped item, changes its question, or lowers its level."""
    by_key = {item.key: item for item in items}
    if len(by_key) != len(items):
        raise ScreenError(gettext_noop("Two items share a key."))
    for base in shipped:
        mine = by_key.get(base.key)
        if mine is None:
            raise ScreenError(gettext_noop("The shipped item %(key)s cannot be removed."), key=base.key)
        if mine.question != base.question or mine.fact != base.fact:
            raise ScreenError(gettext_noop("The shipped item %(key)s cannot be reworded."), key=base.key)
        if mine.level < base.level or (base.crisis and not mine.crisis) or (base.urgent and not mine.urgent):
            raise ScreenError(gettext_noop("The shipped item %(key)s cannot be made less serious."), key=base.key)


def extend(extra: Sequence[Mapping[str, object]], shipped: Sequence[Item] = SHIPPED) -> tuple[Item, ...]:
    """The shipped screen followed by a practice's own items (read and checked)."""
    items = (*shipped, *(item_from_dict(data) for data in extra))
    check_not_weaker(items, shipped)
    return items


# -- what the client is told -----------------------------------------------------------------------

CLIENT_TITLE = {
    None: gettext_noop("Thank you: your answers are with your practitioner"),
    Level.PRECAUTION: gettext_noop("Thank you: your practitioner will take this into account"),
    Level.REFER: gettext_noop("Thank you: your practitioner will be in touch before your session"),
    Level.EMERGENCY: gettext_noop("Please get medical help now"),
}

CLIENT_TEXT = {
    None: gettext_noop(
        "Nothing in your answers needs action before your session. If anything changes before then, please tell us."
    ),
    Level.PRECAUTION: gettext_noop(
        "Some of your answers mean your practitioner may adapt how they work with you, for example the "
        "position you lie in or where they place their hands. They will talk this through with you at the "
        "start of the session, and you can ask to stop at any time."
    ),
    Level.REFER: gettext_noop(
        "Some of your answers mean it is safest for your practitioner to check with you — and possibly "
        "for you to see your doctor — before a session. Your booking is kept, and marked for your "
        "practitioner to review. They will contact you before the session. This is not a diagnosis; "
        "if you feel worse in the meantime, please contact your doctor."
    ),
    Level.EMERGENCY: gettext_noop(
        "Some of your answers describe symptoms that need a doctor urgently. Please call %(number)s or go "
        "to the nearest emergency department now. Do not wait for your appointment. This is not a "
        "diagnosis, and it may turn out to be nothing serious, but these signs should be checked today. "
        "We have put your booking on hold and let your practitioner know; we will contact you about it "
        "later. There is nothing more you need to do here."
    ),
}

CRISIS_TEXT = gettext_noop(
    "You said you are having thoughts of harming yourself or of ending your life. Thank you for telling "
    "us. You do not have to face this alone: please call %(number)s now if you might act on these "
    "thoughts, or talk to someone today at %(crisis_line)s. If you can, tell someone you trust how you "
    "are feeling."
)
