"""The instrument registry: what is registered, wording pinned per version, licences and the crisis
switch as data the Django layer can check."""

import dataclasses
from typing import Any

import pytest

from longtide.outcomes import instruments
from longtide.outcomes.instruments.definition import (
    ChoiceItem,
    Direction,
    Instrument,
    Kind,
    LicenceStatus,
    NumberItem,
    TextItem,
    band_for,
)
from longtide.outcomes.licensing import LicensedText, availability, text_problems, with_text

FREE_IDS = {
    "nprs_pain",
    "nprs_jaw",
    "nrs_sleep_quality",
    "nrs_fatigue",
    "headache_diary",
    "pgic",
    "psfs",
    "gad7",
    "phq4",
    "phq9",
    "spadi",
    "jfls8",
    "menstrual_pain",
}
LICENSED_IDS = {"hit6", "midas", "ndi", "odi", "pss10", "isi", "psqi", "fiqr", "fss"}

# The SHA-256 of each version's content (wording, options, order, option points). A failing line
# here means the wording of a version that may already have stored answers changed: undo the
# change and add a new version instead (docs/outcomes.md, "Versioning"). A new version adds a line.
PINNED = {
    ("fiqr", 1): "aee3ae8dde6374840124eeb239dc647f2bb5d17ac647526269f9670c62c0e2fe",
    ("fss", 1): "0b23c39ea965a00597d8794cf98d7b0b33ec19d48d7932c880b52836393fe469",
    ("gad7", 1): "2e2777390ed020e8b5481bf41370532ba610310ca0c09c5907e142e8ece6c64a",
    ("headache_diary", 1): "08508e42464e86b26728e515e31ac3a70573efc8e2fcb9ca071ce4f08f618f98",
    ("hit6", 1): "a0768f2a32442fd0700c24df0aac3efd4e7bf68bc71e19663fe69a9808402db8",
    ("isi", 1): "6cadb92835cfc1c8e653c19582b9aadf70c377e611771b8fe2aa53ecc87ba0c6",
    ("jfls8", 1): "168b00232dde09cd0569cf2a2d9dc0379c705f1167ad262cd5e101e2422f2900",
    ("menstrual_pain", 1): "b9be039cc43374c63306c26c6e1ce794adc3368d26e2bd1b2f2deb616b2da6f8",
    ("midas", 1): "0e382654e9b21b71c600fdb3400a2c1ca260e3cb2f92ff57471fded208399d1e",
    ("ndi", 1): "501516eb702dba5fcf4f7f26c5fd97a457802f9477d3d29cd8186c35012f75d2",
    ("nprs_jaw", 1): "c59d59b46e8ebb2fe6bc9da5587a4b44d188e3db5ba200324f5ffa099ff50325",
    ("nprs_pain", 1): "c9f525c9b848140463441ae8dc0bae6ab75d03367e7c139dd6c0838f1cad441a",
    ("nrs_fatigue", 1): "9adcfa306b02bc063bf949f94f313627752d60c53cf348c56637b6e1223a4e9c",
    ("nrs_sleep_quality", 1): "3ebc9e301ec21291a18c7b728efe785f360a0d6041167eb920f242a2f40997b3",
    ("odi", 1): "c9b2c27f427aea1e65a09e70d4a66e78283bcb62326a1c687f5d206ff592a40c",
    ("pgic", 1): "97dcc83db2bca15031f3ceb0e31c2998a9c23124cc39e67de8057c61c31c4fae",
    ("phq4", 1): "a01e67761abf4eb53af619f7144db6774562d1e2d1f6d03bf96b94c64bad31f9",
    ("phq9", 1): "3fcbc6f43c72edbe2e498805e563b5dfe7af9d03fee8638a78f4c943f13eda9c",
    ("psfs", 1): "a21a268d634d35fdfce51d670a597a5879f120b10dbf56d1150165bf8b567259",
    ("psqi", 1): "bdf9a61e956232ea7d8194ab1597cdea008b09242487de1c28ec4f02937c54e2",
    ("pss10", 1): "fe1cd4558bdcefcc7873d95481a8674bef95f7d982e0afab125fc9cdf02b8e74",
    ("spadi", 1): "bcc5cda489b7df65e7322838198f6b189ee804dbe154250ff7c624ebe934f2da",
}


def test_the_registry_holds_the_free_and_licensed_instruments_of_domain_md() -> None:
    assert {i.id for i in instruments.current()} == FREE_IDS | LICENSED_IDS
    for instrument in instruments.current():
        expected = LicenceStatus.FREE if instrument.id in FREE_IDS else LicenceStatus.LICENSED
        assert instrument.licence.status is expected, instrument.id


@pytest.mark.parametrize("key", sorted(instruments.REGISTRY))
def test_every_version_has_its_content_hash_pinned(key: tuple[str, int]) -> None:
    assert instruments.REGISTRY[key].content_hash() == PINNED.get(key), (
        f"{key}: wording, options or order changed (or a new version is not pinned yet)"
    )


def test_no_pinned_version_has_left_the_registry() -> None:
    # Stored answers refer to every version ever used, so none may disappear.
    assert set(PINNED) <= set(instruments.REGISTRY)


def test_a_change_of_wording_options_or_order_changes_the_content_hash() -> None:
    gad7 = instruments.get("gad7", 1)
    first, second, *rest = gad7.items
    assert isinstance(first, ChoiceItem)
    reworded = dataclasses.replace(gad7, items=(dataclasses.replace(first, text="Feeling nervous"), second, *rest))
    reordered = dataclasses.replace(gad7, items=(second, first, *rest))
    rescored = dataclasses.replace(gad7, items=(dataclasses.replace(first, options=first.options[::-1]), second, *rest))
    hashes = {gad7.content_hash(), reworded.content_hash(), reordered.content_hash(), rescored.content_hash()}
    assert len(hashes) == 4


def test_lookup_by_id_and_version() -> None:
    assert instruments.get("gad7").version == 1
    assert instruments.get("gad7", 1) is instruments.get("gad7")
    with pytest.raises(instruments.UnknownInstrument):
        instruments.get("gad7", 2)
    with pytest.raises(instruments.UnknownInstrument):
        instruments.get("beck")


@pytest.mark.parametrize("instrument", instruments.versions(), ids=lambda i: f"{i.id}-v{i.version}")
def test_each_instrument_is_complete_and_consistent(instrument: Instrument) -> None:
    assert instrument.title and instrument.short_title and instrument.recall and instrument.sources
    assert instrument.minimum < instrument.maximum
    assert instrument.items
    for item in instrument.items:
        if isinstance(item, ChoiceItem):
            values = [o.value for o in item.options]
            assert len(values) == len(set(values)), item.id
        if item.when is not None:
            assert instrument.has_item(item.when.item)
    if instrument.bands:
        assert [b.lower for b in instrument.bands] == sorted(b.lower for b in instrument.bands)
        assert band_for(instrument.bands, instrument.minimum) is instrument.bands[0]
    for subscale in instrument.subscales:
        assert subscale.minimum < subscale.maximum


@pytest.mark.parametrize("instrument", instruments.versions(), ids=lambda i: f"{i.id}-v{i.version}")
def test_licensed_instruments_ship_no_wording_and_free_ones_ship_all(instrument: Instrument) -> None:
    licensed = instrument.licence.requires_practice_licence
    for item in instrument.items:
        assert (item.text is None) is licensed, item.id
        if isinstance(item, ChoiceItem) and licensed:
            assert all(option.label is None for option in item.options), item.id
    if licensed:
        assert instrument.instructions is None


def test_phq9_needs_the_crisis_protocol_and_marks_item_9_as_self_harm() -> None:
    phq9 = instruments.get("phq9")
    assert phq9.requires_crisis_protocol
    assert [(item.id, item.alert and item.alert.kind) for item in phq9.alert_items()] == [("q9", "self_harm")]
    assert not availability(phq9, holds_licence=False, licensed_text=None, crisis_protocol=False).usable
    assert availability(phq9, holds_licence=False, licensed_text=None, crisis_protocol=True).usable
    # No other instrument asks about self-harm or needs the switch.
    assert [i.id for i in instruments.current() if i.requires_crisis_protocol or i.alert_items()] == ["phq9"]


def test_free_instruments_are_available_to_every_practice() -> None:
    for instrument in instruments.current():
        if instrument.id in FREE_IDS - {"phq9"}:
            assert availability(instrument, holds_licence=False, licensed_text=None, crisis_protocol=False).usable


def _isi_text(**overrides: Any) -> LicensedText:
    isi = instruments.get("isi")
    texts = {item.id: f"Licensed question {item.id}" for item in isi.items}
    labels = {
        item.id: {o.value: f"label {o.value}" for o in item.options}
        for item in isi.items
        if isinstance(item, ChoiceItem)
    }
    return LicensedText("isi", 1, overrides.get("texts", texts), overrides.get("labels", labels), "Instructions")


def test_a_licensed_instrument_needs_both_the_licence_and_complete_wording() -> None:
    isi = instruments.get("isi")
    text = _isi_text()
    assert availability(isi, holds_licence=True, licensed_text=text, crisis_protocol=False).usable
    without_licence = availability(isi, holds_licence=False, licensed_text=text, crisis_protocol=False)
    assert not without_licence.usable
    assert len(without_licence.reasons) == 1
    without_text = availability(isi, holds_licence=True, licensed_text=None, crisis_protocol=False)
    assert not without_text.usable


def test_licensed_wording_must_cover_every_item_and_option_and_nothing_else() -> None:
    isi = instruments.get("isi")
    texts = {item.id: "text" for item in isi.items}
    del texts["q3"]
    texts["q99"] = "stray"
    labels = {item.id: {o.value: "x" for o in item.options} for item in isi.items if isinstance(item, ChoiceItem)}
    del labels["q1"][4]
    problems = text_problems(isi, _isi_text(texts=texts, labels=labels))
    assert "item 'q3' has no text" in problems
    assert "no item 'q99'" in problems
    assert "item 'q1' option 4 has no label" in problems
    assert not availability(isi, holds_licence=True, licensed_text=_isi_text(texts=texts), crisis_protocol=False).usable


def test_licensed_wording_fills_in_the_instrument_and_changes_its_hash() -> None:
    isi = instruments.get("isi")
    filled = with_text(isi, _isi_text())
    assert filled.item("q1").text == "Licensed question q1"
    assert filled.content_hash() != isi.content_hash()
    assert filled.scoring == isi.scoring
    assert _isi_text().sha256() == _isi_text().sha256()
    with pytest.raises(ValueError, match="has no text"):
        with_text(isi, _isi_text(texts={}))


def test_directions_and_kinds() -> None:
    assert instruments.get("psfs").direction is Direction.HIGHER_BETTER
    assert {i.id for i in instruments.current() if i.direction is Direction.HIGHER_BETTER} == {"psfs"}
    assert instruments.get("headache_diary").kind is Kind.DAILY_DIARY
    assert instruments.get("menstrual_pain").kind is Kind.PER_CYCLE
    assert instruments.get("pgic").kind is Kind.FOLLOW_UP_ONLY


def test_item_kinds_are_what_the_forms_expect() -> None:
    assert isinstance(instruments.get("midas").item("q1"), NumberItem)
    assert isinstance(instruments.get("psfs").item("activity1_name"), TextItem)
    assert isinstance(instruments.get("psqi").item("hours_asleep"), NumberItem)
