"""Words the outcome modules hand to pages: the report caveat and banned wording.

The pure modules cannot call Django's gettext, so user-facing sentences are marked with
``gettext_noop`` (lib/i18n_marks.py, the one marker of every pure module): ``makemessages`` extracts
any call of that name, and the Django layer translates the text when it renders it
(``gettext(result.reason)``). Questionnaire wording is
*not* marked: a translated questionnaire is a new instrument version with its own validated text.

The banned-wording list is data a page test can scan rendered reports with (domain.md §2.7, §6):
outcome figures are observational and must never read as proof that the treatment worked, nor
rank practitioners or clinics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from longtide.lib.i18n_marks import gettext_noop

CAVEAT_TITLE = gettext_noop("What these figures can and cannot tell you")

# Every report page and export carries these paragraphs (domain.md §2.5 and §6).
CAVEAT = (
    gettext_noop(
        "These figures describe what happened to clients who began care here. They are not a trial: "
        "there is no comparison group, so they cannot tell whether the treatment made any "
        "difference."
    ),
    gettext_noop(
        "People usually seek care when their symptoms are at their worst, and many conditions ease "
        "on their own over weeks (regression to the mean). Some improvement is expected with or "
        "without treatment."
    ),
    gettext_noop(
        "Every client who started is counted. A client with no follow-up answer is counted as "
        "unchanged; the figures for clients who answered are shown beside them and are likely "
        "optimistic."
    ),
)

# The client's own progress page and printable report (domain.md §6: may help some people; limited,
# mixed evidence; never a causal claim).
CLIENT_CAVEAT_TITLE = gettext_noop("What this can and cannot show")
CLIENT_CAVEAT = (
    gettext_noop(
        "These are your own answers over time. They show how you felt, not why: many things change how "
        "we feel (time, other care, medicines, sleep, what is going on in life), and symptoms often ease "
        "on their own after their worst. So this cannot show whether your sessions made the difference."
    ),
    gettext_noop(
        "Craniosacral therapy may help some people; the research evidence is limited and mixed. Talk over "
        "what you see here with your practitioner, and see a doctor about new or worsening symptoms."
    ),
)

COMPLETERS_LABEL = gettext_noop("Clients who answered the follow-up (likely optimistic)")
ALL_STARTERS_LABEL = gettext_noop("All clients who started (missing follow-up counted as no change)")
COUNTS_ONLY_NOTE = gettext_noop("Fewer than 10 clients: counts only, no percentages or intervals.")
SUPPRESSED_LABEL = gettext_noop("fewer than 5")


@dataclass(frozen=True, slots=True)
class BannedPhrase:
    """A pattern that must not appear in report text, and why."""

    pattern: str
    why: str

    def search(self, text: str) -> re.Match[str] | None:
        return re.search(self.pattern, text, flags=re.IGNORECASE)


# Causal claims, cure claims and league tables (domain.md §2.7 and §6). Patterns, not exact
# phrases, so that "CST reduced neck pain" and "the treatment improved sleep" are both caught.
_TREATMENT = r"(?:cst|craniosacral(?:\s+therapy)?|(?:the\s+|our\s+|this\s+)?treatments?|therapy|sessions?)"
BANNED_PHRASES: tuple[BannedPhrase, ...] = (
    BannedPhrase(
        _TREATMENT + r"\s+(?:reduced|reduces|improved|improves|relieved|relieves|eased|eases|lowered|lowers|"
        r"cut|cuts|resolved|resolves|helped|helps|fixed|fixes)\b",
        gettext_noop("attributes a change to the treatment"),
    ),
    BannedPhrase(
        r"\b(?:because of|due to|thanks to|as a result of|caused by|attributable to|result(?:ed)? from)\s+"
        + _TREATMENT,
        gettext_noop("attributes a change to the treatment"),
    ),
    BannedPhrase(r"\b(?:cure[sd]?|curing)\b", gettext_noop("cure claim")),
    BannedPhrase(r"\btreats?\b", gettext_noop("claims the therapy treats a condition")),
    BannedPhrase(r"\bclinically\s+proven\b|\bproven\s+to\b|\bproves?\b", gettext_noop("proof claim")),
    BannedPhrase(r"\bregulat\w*\s+(?:the\s+|your\s+)?nervous\s+system\b", gettext_noop("unvalidated construct claim")),
    BannedPhrase(r"\b(?:effective(?:ness)?|efficacy|works)\b", gettext_noop("effectiveness claim")),
    BannedPhrase(r"\bsuccess\s+rate\b", gettext_noop("implies outcomes measure the treatment's success")),
    BannedPhrase(
        r"\b(?:league\s+table|ranking|ranked|rank|top[-\s]performing|best[-\s]performing|"
        r"outperform\w*|better\s+than\s+(?:other|average|the\s+average)|worse\s+than\s+(?:other|average))\b",
        gettext_noop("league-table comparison"),
    ),
)


def banned_wording(text: str) -> list[tuple[BannedPhrase, str]]:
    """Return each banned phrase found in ``text`` with the words that matched (empty when clean)."""
    found: list[tuple[BannedPhrase, str]] = []
    for phrase in BANNED_PHRASES:
        match = phrase.search(text)
        if match is not None:
            found.append((phrase, match.group(0)))
    return found
