"""Prices and times in the practice's formats (web/formats.py), on every page. Built in (settings.py).

- ``{{ service.price|price }}``: "$150", "150 €", "$95.50".
- ``{{ moment|clock }}``: "2:00 PM" or "14:00", in the current time zone.
- ``{{ moment|when:"D j M, g:i A" }}``: Django's ``date`` filter with the time of day ("g:i A",
  "G:i" or "H:i" in the format) written on the practice's clock.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter

from longtide.web.formats import current

register = template.Library()


@register.filter
def price(amount: Any) -> str:
    try:
        return current().price(Decimal(str(amount)))
    except (InvalidOperation, ValueError):
        return ""


@register.filter(expects_localtime=True)
def clock(moment: Any) -> str:
    if isinstance(moment, datetime):
        return current().clock(moment)
    if isinstance(moment, time):
        return current().clock(moment)
    return ""


@register.filter(expects_localtime=True)
def when(moment: Any, django_format: str) -> str:
    return str(date_filter(moment, current().date_format(django_format)))
