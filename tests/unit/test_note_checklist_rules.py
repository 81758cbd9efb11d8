"""A practice's note checklists typed one label per line (notes/template.py, Django-free): keys
survive while labels do, new labels get new keys, the consent-bound hold can never be taken off,
and bad lists are explained."""

from __future__ import annotations

from longtide.notes.template import FIXED_HOLDS, HOLDS, ITEMS_MAX, LABEL_MAX, REGIONS, Item, as_text, parse_items


def test_unchanged_labels_keep_their_keys_and_new_labels_get_new_ones() -> None:
    items, problems = parse_items("Feet\nHead\nAbdomen\n", REGIONS)
    assert problems == []
    assert items == (Item("feet", "Feet"), Item("head", "Head"), Item("abdomen", "Abdomen"))


def test_a_renamed_item_is_a_new_item_so_old_ticks_keep_their_meaning() -> None:
    items, _ = parse_items("Sacral Hold (modified)\nsacral hold", HOLDS)
    assert items == (
        Item("sacral_hold_modified", "Sacral Hold (modified)"),
        Item("sacral_hold", "sacral hold"),
    )  # a change of case only keeps the key
    # A new label whose key would collide with an existing item's key gets its own.
    items, _ = parse_items("Sacral-hold", HOLDS)
    assert items == (Item("sacral_hold_2", "Sacral-hold"),)


def test_the_consent_bound_hold_stays_whatever_is_typed() -> None:
    assert [item.key for item in FIXED_HOLDS] == ["pelvic_diaphragm"]
    items, problems = parse_items("V-spread", HOLDS, fixed=FIXED_HOLDS)
    assert problems == [] and items == (Item("v_spread", "V-spread"), *FIXED_HOLDS)
    # Typing it is the same as leaving it out: it is never listed twice.
    items, _ = parse_items("Pelvic diaphragm release\nV-spread", HOLDS, fixed=FIXED_HOLDS)
    assert items == (Item("v_spread", "V-spread"), *FIXED_HOLDS)
    assert "Pelvic diaphragm release" not in as_text(HOLDS, fixed=FIXED_HOLDS)


def test_control_characters_and_spacing_are_cleaned_and_windows_line_ends_split() -> None:
    items, problems = parse_items("  Feet\x00  \r\n\tHead\u200b\r\n\r\n", REGIONS)
    assert problems == [] and [item.label for item in items] == ["Feet", "Head"]


def test_bad_lists_are_explained() -> None:
    _, problems = parse_items("Feet\nfeet", REGIONS)
    assert problems == ["“feet” is on the list twice."]
    _, problems = parse_items("x" * (LABEL_MAX + 1), REGIONS)
    assert problems == [f"“{'x' * 30}…” is longer than {LABEL_MAX} characters."]
    _, problems = parse_items("\n".join(f"Item {n}" for n in range(ITEMS_MAX + 1)), REGIONS, what="region")
    assert problems == [f"Keep the list to {ITEMS_MAX} regions or fewer."]
    _, problems = parse_items(" \n \n", REGIONS, what="region")
    assert problems == ["Keep at least one region on the list."]


def test_the_shipped_lists_read_back_as_they_were_typed() -> None:
    items, problems = parse_items(as_text(REGIONS), REGIONS)
    assert problems == [] and items == REGIONS
    items, problems = parse_items(as_text(HOLDS, fixed=FIXED_HOLDS), HOLDS, fixed=FIXED_HOLDS)
    assert problems == [] and set(items) == set(HOLDS)
