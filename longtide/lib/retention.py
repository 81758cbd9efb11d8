"""How long a client's record must be kept, by jurisdiction (domain.md §5). No Django.

Every rule counts from the record's last entry; for a client seen as a minor it also keeps the
record until they reach a given age (the age of majority plus the adult period, or a fixed age).
Both limits apply and the later one wins, which is the same as "from the age of majority" for
minors and has no effect for adults (an adult's last entry is already past the majority age).

Sources, to be checked against the regulator before relying on them:

- Ontario, massage therapists (CMTO): 10 years after the last visit, or for a minor 10 years after
  their 18th birthday.
- British Columbia, massage therapists (CMTBC): 16 years after the last entry, or for a minor 16
  years after the age of majority (19).
- England (NHS Records Management Code): adults 8 years after the end of care; children until their
  25th birthday (or 8 years after the end of care, if later).
- New York (Education Law / Rules of the Board of Regents §29.2): 6 years; for a minor, at least
  6 years and until age 22.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LONGEST = "longest"


@dataclass(frozen=True)
class RetentionRule:
    key: str
    label: str
    years_after_last_entry: int
    # Kept at least until the client reaches this age (None: no rule for minors).
    until_age: int | None

    def describe(self) -> str:
        text = f"{self.years_after_last_entry} years after the last entry"
        if self.until_age is not None:
            text += f", and at least until the client is {self.until_age}"
        return text


RULES: dict[str, RetentionRule] = {
    rule.key: rule
    for rule in [
        RetentionRule("ontario_rmt", "Ontario (RMT)", 10, 28),
        RetentionRule("british_columbia_rmt", "British Columbia (RMT)", 16, 35),
        RetentionRule("england", "England", 8, 25),
        RetentionRule("new_york", "New York", 6, 22),
    ]
}


def longest_rule(rules: dict[str, RetentionRule] = RULES) -> RetentionRule:
    """Return a rule that keeps a record at least as long as every rule given."""
    years = max(rule.years_after_last_entry for rule in rules.values())
    ages = [rule.until_age for rule in rules.values() if rule.until_age is not None]
    return RetentionRule(LONGEST, "Longest of all", years, max(ages) if ages else None)


def rule_for(key: str) -> RetentionRule:
    """Return the rule with this key; the longest rule for "longest" or an unknown key."""
    return RULES.get(key) or longest_rule()


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def retain_until(rule: RetentionRule, *, last_entry: date, date_of_birth: date | None) -> date:
    """Return the first day on which the record may be destroyed under `rule`.

    Without a date of birth the minors' rule cannot be applied; callers should say so.
    """
    until = _add_years(last_entry, rule.years_after_last_entry)
    if date_of_birth is not None and rule.until_age is not None:
        until = max(until, _add_years(date_of_birth, rule.until_age))
    return until
