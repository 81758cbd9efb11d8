"""Building blocks for licensed instruments: structure and scoring only, no wording.

The practice supplies the licensed question text and option labels (``licensing.LicensedText``);
the options here carry only their stored values and the points each scores.
"""

from longtide.outcomes.instruments.definition import ChoiceItem, Licence, LicenceStatus, Option


def licence(holder: str, note: str) -> Licence:
    return Licence(LicenceStatus.LICENSED, holder, note)


def unlabelled(points: tuple[float, ...], *, start: int = 0) -> tuple[Option, ...]:
    """Return options valued ``start``, ``start + 1``, … scoring ``points`` in order, without labels."""
    return tuple(Option(start + i, None, p) for i, p in enumerate(points))


def unlabelled_range(low: int, high: int) -> tuple[Option, ...]:
    """Return options valued and scored ``low`` … ``high``, without labels."""
    return tuple(Option(v, None, float(v)) for v in range(low, high + 1))


def items(item_ids: tuple[str, ...], options: tuple[Option, ...]) -> tuple[ChoiceItem, ...]:
    return tuple(ChoiceItem(item_id, None, options) for item_id in item_ids)
