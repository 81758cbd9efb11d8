"""FSS (licensed, Krupp): nine fatigue statements rated 1-7; the score is their mean."""

from longtide.outcomes.instruments import licensed
from longtide.outcomes.instruments.definition import Band, Direction, Instrument, Kind, Mcid, ids
from longtide.outcomes.instruments.rules import Mean

ITEMS = ids("q", 9)

V1 = Instrument(
    id="fss",
    version=1,
    title="Fatigue Severity Scale (FSS)",
    short_title="FSS",
    construct="fatigue",
    kind=Kind.QUESTIONNAIRE,
    recall="past week",
    instructions=None,
    items=licensed.items(ITEMS, licensed.unlabelled_range(1, 7)),
    scoring=Mean(ITEMS, max_missing=0),
    minimum=1,
    maximum=7,
    direction=Direction.HIGHER_WORSE,
    licence=licensed.licence("Lauren Krupp (Mapi Research Trust)", "Use in software needs a licence."),
    bands=(Band("below", "Below the fatigue threshold", 1), Band("fatigue", "Relevant fatigue", 4)),
    mcid=Mcid(
        points=0.88,
        percent=None,
        source="domain.md §1 (0.45-0.88)",
        published="0.45-0.88 points; the upper end is used",
        verify="primary source of the MCID range",
    ),
    sources=(
        "Krupp LB et al. The Fatigue Severity Scale: application to patients with multiple sclerosis and "
        "systemic lupus erythematosus. Arch Neurol 1989;46:1121-1123.",
    ),
    decimals=2,
    verify=("no missing answers allowed (no published prorating rule found)",),
)

VERSIONS = (V1,)
