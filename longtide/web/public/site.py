"""The public site of a practice: home, practitioners, services."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from longtide.practice.models import STYLE_DESCRIPTIONS, Practice, Service, Style
from longtide.web.public.page_cache import cached_public_page


def root(request: HttpRequest) -> HttpResponse:
    practices = list(Practice.objects.all()[:2])
    if len(practices) == 1:
        return redirect("home", practice_slug=practices[0].slug)
    return render(request, "web/public/index.html", {"practices": Practice.objects.all()})


@cached_public_page
def home(request: HttpRequest, practice_slug: str) -> HttpResponse:
    practice = get_object_or_404(Practice, slug=practice_slug)
    context = {
        "practice": practice,
        "practitioners": practice.practitioners.active(),
        "services": practice.services.active(),
        "location": practice.locations.first(),
        "styles": [(style, STYLE_DESCRIPTIONS[style]) for style in Style],
    }
    return render(request, "web/public/home.html", context)


@cached_public_page
def practitioners(request: HttpRequest, practice_slug: str) -> HttpResponse:
    practice = get_object_or_404(Practice, slug=practice_slug)
    style = request.GET.get("style", "")
    people = practice.practitioners.active().prefetch_related(
        Prefetch("services", queryset=Service.objects.active(), to_attr="bookable_services")
    )
    unknown_style = bool(style) and style not in Style.values
    if style and not unknown_style:
        people = people.filter(style=style)
    context = {
        "practice": practice,
        "practitioners": people,
        "styles": [(style_, STYLE_DESCRIPTIONS[style_]) for style_ in Style],
        "chosen_style": "" if unknown_style else style,
        "unknown_style": style if unknown_style else "",
    }
    return render(request, "web/public/practitioners.html", context)


@cached_public_page
def practitioner(request: HttpRequest, practice_slug: str, slug: str) -> HttpResponse:
    practice = get_object_or_404(Practice, slug=practice_slug)
    person = get_object_or_404(practice.practitioners.active(), slug=slug)
    context = {"practice": practice, "person": person, "services": person.services.active()}
    return render(request, "web/public/practitioner.html", context)


@cached_public_page
def services(request: HttpRequest, practice_slug: str) -> HttpResponse:
    practice = get_object_or_404(Practice, slug=practice_slug)
    context = {"practice": practice, "services": practice.services.active().prefetch_related("practitioners")}
    return render(request, "web/public/services.html", context)
