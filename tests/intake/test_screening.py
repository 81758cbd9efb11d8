"""The safety screen (domain.md §3), pure: every rule of §3 is asked and maps to its level."""

from __future__ import annotations

import pytest

from longtide.intake import screening
from longtide.intake.screening import SHIPPED, Level, ScreenError, evaluate, extend, missing_answers
from longtide.outcomes.wording import banned_wording

E, R, P = Level.EMERGENCY, Level.REFER, Level.PRECAUTION

# Every rule of domain.md §3, as written there, with the level it must raise. An item "covers" it.
DOMAIN_RULES = [
    ("cst.stroke_recent", R),
    ("cst.stroke_current_symptoms", E),
    ("cst.aneurysm_avm", R),
    ("cst.head_injury_recent", R),
    ("cst.head_injury_symptoms", E),
    ("cst.raised_icp", R),
    ("cst.chiari", R),
    ("cst.csf_procedure", R),
    ("cst.bleeding", P),
    ("cst.tumour_seizure", P),
    ("cst.tumour_seizure_unstable", R),
    ("cst.fever_headache_stiff_neck", E),
    ("cst.cervical_instability", P),
    ("cst.cervical_instability_symptoms", R),
    ("cst.pregnancy", P),
    ("cst.pregnancy_headache", R),
    ("cst.children", P),
    ("cst.intraoral", P),
    ("cst.trauma", P),
    ("snnoop.thunderclap", E),
    ("snnoop.neuro_deficit", E),
    ("snnoop.fever_stiff_neck_rash", E),
    ("snnoop.post_traumatic", E),
    ("snnoop.red_eye", E),
    ("snnoop.older_onset", R),
    ("snnoop.pattern_change", R),
    ("snnoop.positional_precipitated", R),
    ("snnoop.cancer_immune", R),
    ("snnoop.medication", R),
    ("extra.neck_dizziness", E),
    ("extra.saddle_numbness", E),
    ("extra.cardiac", E),
    ("extra.self_harm", E),
]
URGENT = {"cst.pregnancy_headache", "snnoop.older_onset"}


def _covering(rule: str) -> screening.Item:
    found = [item for item in SHIPPED if rule in item.covers]
    assert len(found) == 1, f"{rule} is asked by {len(found)} items"
    return found[0]


@pytest.mark.parametrize(("rule", "level"), DOMAIN_RULES, ids=[r for r, _ in DOMAIN_RULES])
def test_each_rule_of_section_3_raises_its_level_and_nothing_else(rule: str, level: Level) -> None:
    item = _covering(rule)
    answers = dict.fromkeys((i.key for i in screening.questions(SHIPPED)), False)
    facts: list[str] = []
    if item.fact:
        facts.append(item.fact)
    else:
        answers[item.key] = True
    result = evaluate(SHIPPED, answers, facts)
    assert [(f.key, f.level) for f in result.flags] == [(item.key, level)]
    assert result.level == level
    assert result.flags[0].urgent == (rule in URGENT)
    assert result.crisis == (rule == "extra.self_harm")


def test_every_shipped_item_answers_a_rule_of_section_3() -> None:
    rules = {rule for rule, _ in DOMAIN_RULES}
    for item in SHIPPED:
        assert item.covers and set(item.covers) <= rules, item.key


def test_all_no_raises_nothing_and_the_highest_level_leads() -> None:
    answers = dict.fromkeys((i.key for i in screening.questions(SHIPPED)), False)
    assert evaluate(SHIPPED, answers).flags == ()
    assert evaluate(SHIPPED, answers).level is None
    answers.update(pregnant=True, headache_pattern=True, red_eye=True)
    result = evaluate(SHIPPED, answers)
    assert [f.level for f in result.flags] == [E, R, P]
    assert result.level == E


def test_every_question_needs_a_yes_or_a_no() -> None:
    answers: dict[str, bool | None] = dict.fromkeys((i.key for i in screening.questions(SHIPPED)), False)
    answers["chiari"] = None
    del answers["trauma"]
    assert missing_answers(SHIPPED, answers) == ["chiari", "trauma"]


def test_a_practice_adds_items_but_cannot_weaken_the_shipped_ones() -> None:
    mine = extend([{"key": "recent_surgery", "question": "Any surgery in the last 6 weeks?", "level": "refer"}])
    assert mine[-1].level == R and not mine[-1].shipped
    answers = dict.fromkeys((i.key for i in screening.questions(mine)), False) | {"recent_surgery": True}
    assert evaluate(mine, answers).level == R
    with pytest.raises(ScreenError, match="cannot be made less serious"):
        screening.check_not_weaker([*(i if i.key != "red_eye" else _lowered(i) for i in SHIPPED)])
    with pytest.raises(ScreenError, match="cannot be removed"):
        screening.check_not_weaker([i for i in SHIPPED if i.key != "self_harm"])
    with pytest.raises(ScreenError, match="key"):
        extend([{"key": "Bad Key", "question": "x", "level": "refer"}])
    with pytest.raises(ValueError, match="Unknown level"):
        extend([{"key": "ok_key", "question": "x", "level": "mild"}])
    with pytest.raises(ScreenError, match="share a key"):
        extend([{"key": "red_eye", "question": "again?", "level": "emergency"}])


def _lowered(item: screening.Item) -> screening.Item:
    from dataclasses import replace

    return replace(item, level=Level.REFER)


def test_age_in_whole_years() -> None:
    assert screening.age_on((2010, 6, 15), (2028, 6, 14)) == 17
    assert screening.age_on((2010, 6, 15), (2028, 6, 15)) == 18


def test_client_wording_is_honest() -> None:
    texts = [*screening.CLIENT_TITLE.values(), *screening.CLIENT_TEXT.values(), screening.CRISIS_TEXT]
    texts += [item.question for item in SHIPPED]
    for text in texts:
        assert banned_wording(text) == [], text
    assert "diagnos" in screening.CLIENT_TEXT[R] and "%(number)s" in screening.CLIENT_TEXT[E]
