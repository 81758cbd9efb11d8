"""The staff workspace."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from longtide.practice.access import may_use_admin
from longtide.practice.models import Practice


@login_required
def home(request: HttpRequest) -> HttpResponse:
    practices = Practice.objects.for_user(request.user)
    return render(request, "web/staff/home.html", {"practices": practices, "operator": may_use_admin(request.user)})
