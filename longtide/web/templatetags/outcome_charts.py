"""`{% outcome_chart chart title %}`: an outcomes/charts.py `Chart` drawn as inline SVG, with the
MCID band, the baseline line, axis ticks and markers whose shape (not colour) carries the change.
The text table beside it is the accessible alternative (web/outcomes/_series.html)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils.translation import gettext as _

from longtide.outcomes.charts import Chart
from longtide.web.formats import current

register = template.Library()


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@register.inclusion_tag("web/outcomes/_chart_svg.html")
def outcome_chart(chart: Chart, title: str, *parts: object) -> dict[str, Any]:
    ident = "-".join(str(p) for p in parts)
    band = None
    if chart.band is not None:
        band = {
            "x": chart.left,
            "y": chart.band.y_top,
            "width": chart.right - chart.left,
            "height": max(chart.band.y_bottom - chart.band.y_top, 1),
            "label": _(chart.band.label),
            "text_x": chart.left + 4,
            "text_y": chart.band.y_top - 3,
        }
    dates = [date.fromordinal(int(t.value)) for t in chart.date_ticks]
    return {
        "chart": chart,
        "title": title,
        "ident": ident,
        "band": band,
        "direction": _(chart.direction_note),
        "value_ticks": [{"y": t.position, "label": _n(t.value)} for t in chart.value_ticks],
        "date_ticks": [
            {"x": t.position, "label": current().date(d, "d M y"), "anchor": _anchor(i, len(dates))}
            for i, (t, d) in enumerate(zip(chart.date_ticks, dates, strict=True))
        ],
        "label_y": chart.bottom + 16,
        "axis_x": chart.left - 6,
        "note_y": chart.top - 6,
    }


def _anchor(index: int, count: int) -> str:
    """The first date label starts at its tick and the last ends at it, so neither is cut off."""
    if count > 1 and index == count - 1:
        return "end"
    return "start" if index == 0 and count > 1 else "middle"
