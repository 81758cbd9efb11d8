"""The instrument registry: every version of every instrument, by id and version.

    instruments.get("gad7")        # the current version
    instruments.get("gad7", 1)     # the version stored answers were given against
    instruments.current()          # the current version of each instrument

One module per instrument, each exporting ``VERSIONS``; the registry is the explicit list below
(no discovery by import side effects). To change an instrument's wording, options or order, add a
new version to its module, keep the old one, and pin the new content hash in
tests/outcomes/test_instrument_registry.py (docs/outcomes.md, "Versioning").
"""

from __future__ import annotations

from collections.abc import Mapping

from longtide.outcomes.instruments import (
    fiqr,
    fss,
    gad7,
    headache_diary,
    hit6,
    isi,
    jfls8,
    menstrual_pain,
    midas,
    ndi,
    nprs,
    odi,
    pgic,
    phq4,
    phq9,
    psfs,
    psqi,
    pss10,
    spadi,
)
from longtide.outcomes.instruments.definition import Instrument

_MODULES = (
    nprs,
    headache_diary,
    pgic,
    psfs,
    gad7,
    phq4,
    phq9,
    spadi,
    jfls8,
    menstrual_pain,
    hit6,
    midas,
    ndi,
    odi,
    pss10,
    isi,
    psqi,
    fiqr,
    fss,
)


class UnknownInstrument(LookupError):
    pass


def _build() -> dict[tuple[str, int], Instrument]:
    registry: dict[tuple[str, int], Instrument] = {}
    for module in _MODULES:
        for instrument in module.VERSIONS:
            if instrument.key in registry:
                raise ValueError(f"instrument {instrument.id} v{instrument.version} registered twice")
            registry[instrument.key] = instrument
    return registry


REGISTRY: Mapping[tuple[str, int], Instrument] = _build()
_CURRENT: Mapping[str, Instrument] = {
    instrument.id: instrument
    for instrument in sorted(REGISTRY.values(), key=lambda i: (i.id, i.version))  # the last version wins
}


def get(instrument_id: str, version: int | None = None) -> Instrument:
    """Return the instrument version (the current one when ``version`` is None)."""
    try:
        if version is None:
            return _CURRENT[instrument_id]
        return REGISTRY[(instrument_id, version)]
    except KeyError:
        raise UnknownInstrument(f"no instrument {instrument_id!r} version {version}") from None


def current() -> tuple[Instrument, ...]:
    """Return the current version of every instrument, in registry order."""
    seen: dict[str, Instrument] = {}
    for module in _MODULES:
        for instrument in module.VERSIONS:
            seen[instrument.id] = _CURRENT[instrument.id]
    return tuple(seen.values())


def versions() -> tuple[Instrument, ...]:
    """Return every registered version of every instrument."""
    return tuple(REGISTRY.values())
