"""ISI (licensed, Morin): seven insomnia items 0-4, summed (0-28)."""

from longtide.outcomes.instruments import licensed
from longtide.outcomes.instruments.definition import Band, Direction, Instrument, Kind, Mcid, ids
from longtide.outcomes.instruments.rules import Sum

ITEMS = ids("q", 7)

V1 = Instrument(
    id="isi",
    version=1,
    title="Insomnia Severity Index (ISI)",
    short_title="ISI",
    construct="insomnia severity",
    kind=Kind.QUESTIONNAIRE,
    recall="last 2 weeks",
    instructions=None,
    items=licensed.items(ITEMS, licensed.unlabelled_range(0, 4)),
    scoring=Sum(ITEMS),
    minimum=0,
    maximum=28,
    direction=Direction.HIGHER_WORSE,
    licence=licensed.licence("Charles Morin (Mapi Research Trust)", "Use in software needs a licence."),
    bands=(
        Band("none", "No clinically significant insomnia", 0),
        Band("subthreshold", "Subthreshold insomnia", 8),
        Band("moderate", "Moderate insomnia", 15),
        Band("severe", "Severe insomnia", 22),
    ),
    mcid=Mcid(
        points=6,
        percent=None,
        source=(
            "Yang M et al. Interpreting score differences in the Insomnia Severity Index. Curr Med Res Opin "
            "2009;25:2487-2494."
        ),
    ),
    sources=(
        "Bastien CH, Vallières A, Morin CM. Validation of the Insomnia Severity Index. Sleep Med 2001;2:297-307.",
    ),
)

VERSIONS = (V1,)
