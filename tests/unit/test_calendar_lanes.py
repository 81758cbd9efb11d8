"""web/staff/calendar_grid._assign_lanes: overlapping blocks side by side, the rest in the first lane."""

from longtide.web.staff.calendar_css import MAX_LANES
from longtide.web.staff.calendar_grid import Block, _assign_lanes


def _blocks(*lines: tuple[int, int]) -> list[Block]:
    return [Block(first, last, "") for first, last in lines]


def test_blocks_that_follow_or_touch_each_other_share_the_first_lane() -> None:
    blocks = _blocks((5, 9), (1, 3), (3, 5))
    assert _assign_lanes(blocks) == 1
    assert [(b.first_line, b.lane) for b in blocks] == [(1, 1), (3, 1), (5, 1)]


def test_an_overlapping_block_takes_the_next_free_lane() -> None:
    blocks = _blocks((1, 5), (3, 7), (5, 9), (8, 10))
    assert _assign_lanes(blocks) == 2
    assert [b.lane for b in blocks] == [1, 2, 1, 2]


def test_beyond_the_stylesheets_lanes_blocks_share_the_last() -> None:
    blocks = _blocks(*[(1, 9)] * (MAX_LANES + 2))
    assert _assign_lanes(blocks) == MAX_LANES
    assert [b.lane for b in blocks] == [*range(1, MAX_LANES + 1), MAX_LANES, MAX_LANES]
