"""NDI (licensed, Vernon): ten neck-disability sections 0-5, summed (0-50); one missing section
is prorated (sum x 10 / 9), more missing: not scorable."""

from longtide.outcomes.instruments import licensed
from longtide.outcomes.instruments.definition import Band, Direction, Instrument, Kind, Mcid, ids
from longtide.outcomes.instruments.rules import Sum

ITEMS = ids("q", 10)

V1 = Instrument(
    id="ndi",
    version=1,
    title="Neck Disability Index (NDI)",
    short_title="NDI",
    construct="neck pain and disability",
    kind=Kind.QUESTIONNAIRE,
    recall="today",
    instructions=None,
    items=licensed.items(ITEMS, licensed.unlabelled_range(0, 5)),
    scoring=Sum(ITEMS, max_missing=1, prorate=True),
    minimum=0,
    maximum=50,
    direction=Direction.HIGHER_WORSE,
    licence=licensed.licence("Howard Vernon (Mapi Research Trust)", "Use in software needs a licence."),
    bands=(
        Band("none", "No disability", 0),
        Band("mild", "Mild", 5),
        Band("moderate", "Moderate", 15),
        Band("severe", "Severe", 25),
        Band("complete", "Complete", 35),
    ),
    mcid=Mcid(
        points=9.5,
        percent=None,
        source=(
            "MacDermid JC et al. Measurement properties of the Neck Disability Index: a systematic review. "
            "JOSPT 2009;39:400-417."
        ),
        published="5-9.5 points of 50 (domain.md); the upper end is used",
    ),
    sources=(
        "Vernon H, Mior S. The Neck Disability Index: a study of reliability and validity. "
        "J Manipulative Physiol Ther 1991;14:409-415.",
    ),
    decimals=1,
)

VERSIONS = (V1,)
