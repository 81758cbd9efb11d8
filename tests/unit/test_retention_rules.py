"""Retention rules (domain.md §5): counted from the last entry; minors kept until an age as well."""

from datetime import date

import pytest

from longtide.lib.retention import LONGEST, RULES, longest_rule, retain_until, rule_for


@pytest.mark.parametrize(
    ("key", "adult_until", "minor_until"),
    [
        # Last entry 1 March 2020; the minor was born 1 June 2010 (9 at the last entry).
        ("ontario_rmt", date(2030, 3, 1), date(2038, 6, 1)),
        ("british_columbia_rmt", date(2036, 3, 1), date(2045, 6, 1)),
        ("england", date(2028, 3, 1), date(2035, 6, 1)),
        ("new_york", date(2026, 3, 1), date(2032, 6, 1)),
        (LONGEST, date(2036, 3, 1), date(2045, 6, 1)),
    ],
)
def test_each_rule_counts_from_the_last_entry_and_keeps_minors_longer(
    key: str, adult_until: date, minor_until: date
) -> None:
    rule = rule_for(key)
    last = date(2020, 3, 1)
    assert retain_until(rule, last_entry=last, date_of_birth=date(1980, 1, 1)) == adult_until
    assert retain_until(rule, last_entry=last, date_of_birth=None) == adult_until
    assert retain_until(rule, last_entry=last, date_of_birth=date(2010, 6, 1)) == minor_until


def test_a_client_seen_at_seventeen_is_kept_from_the_age_of_majority_in_ontario() -> None:
    # Born 1 May 2003, last seen 1 April 2021 at 17: ten years from turning 18 (1 May 2021).
    until = retain_until(RULES["ontario_rmt"], last_entry=date(2021, 4, 1), date_of_birth=date(2003, 5, 1))
    assert until == date(2031, 5, 1)


def test_the_longest_rule_is_at_least_as_long_as_every_rule() -> None:
    longest = longest_rule()
    for rule in RULES.values():
        assert longest.years_after_last_entry >= rule.years_after_last_entry
        assert longest.until_age is not None and rule.until_age is not None and longest.until_age >= rule.until_age


def test_an_unknown_key_falls_back_to_the_longest_rule() -> None:
    assert rule_for("atlantis") == longest_rule()


def test_a_leap_day_last_entry_moves_to_the_28th() -> None:
    assert retain_until(RULES["new_york"], last_entry=date(2024, 2, 29), date_of_birth=None) == date(2030, 2, 28)


def test_every_rule_has_a_name_on_screen() -> None:
    from longtide.practice.models import RETENTION_CHOICES

    assert [key for key, _ in RETENTION_CHOICES] == [LONGEST, *RULES]
