"""The caveat and the banned-wording list that report pages and exports are scanned with."""

import pytest

from longtide.outcomes import wording
from longtide.outcomes.change import NO_ROOM, WORDING
from longtide.outcomes.charts import BAND_LABEL, HIGHER_IS_BETTER, LOWER_IS_BETTER
from longtide.outcomes.diary import CONTROL_LABELS


@pytest.mark.parametrize(
    "text",
    [
        "CST reduced neck pain",
        "Craniosacral therapy improves sleep for most clients",
        "Sessions eased headaches in 48 % of clients",
        "Pain fell because of the treatment",
        "Improvement due to CST",
        "Our therapy cures migraines",
        "CST treats anxiety",
        "Clinically proven to help",
        "Regulates the nervous system",
        "An effective treatment",
        "Our success rate is 60 %",
        "Ana is our top-performing practitioner",
        "Practitioner ranking for neck pain",
        "Better than other clinics",
    ],
)
def test_causal_cure_and_league_table_claims_are_caught(text: str) -> None:
    assert wording.banned_wording(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Among clients who began care for neck pain between January and March, 48 % (95 % CI 35 % to 61 %) "
        "reported a meaningful improvement at 12 weeks.",
        "CST may help some people; the evidence is limited and mixed.",
        "Clients who answered the follow-up (likely optimistic)",
        "Share of sessions followed by a reported after-effect",
    ],
)
def test_honest_sentences_pass(text: str) -> None:
    assert wording.banned_wording(text) == []


def test_all_outcome_wording_is_clean() -> None:
    texts = [
        wording.CAVEAT_TITLE,
        *wording.CAVEAT,
        wording.COMPLETERS_LABEL,
        wording.ALL_STARTERS_LABEL,
        wording.COUNTS_ONLY_NOTE,
        wording.SUPPRESSED_LABEL,
        *WORDING.values(),
        NO_ROOM,
        BAND_LABEL,
        LOWER_IS_BETTER,
        HIGHER_IS_BETTER,
        *CONTROL_LABELS.values(),
    ]
    for text in texts:
        assert wording.banned_wording(text) == [], text


def test_the_caveat_names_regression_to_the_mean_and_the_missing_comparison() -> None:
    caveat = " ".join(wording.CAVEAT)
    assert "regression to the mean" in caveat
    assert "no comparison group" in caveat
    assert "worst" in caveat  # people seek care when symptoms peak
    assert "likely optimistic" in caveat
