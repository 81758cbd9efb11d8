"""Uploaded files, served by the app in every mode (no proxy configuration needed).

Only practitioner photos are public uploads, and each is a JPEG we wrote ourselves under a random
name (practice/photos.py). So this view serves exactly those: a name of that shape that a
practitioner's record points to now. Anything else under the uploads folder — now or later — is
never served from here, and a replaced or removed photo stops being served at once.
"""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from longtide.practice.models import Practitioner

PHOTO_NAME = re.compile(r"practitioners/[0-9a-f]{24}\.jpg")


@require_safe
def practitioner_photo(request: HttpRequest, name: str) -> FileResponse:
    path = f"practitioners/{name}"
    if not PHOTO_NAME.fullmatch(path) or not Practitioner.objects.filter(photo=path).exists():
        raise Http404("No such photo.")
    try:
        handle = default_storage.open(path, "rb")
    except FileNotFoundError:
        raise Http404("No such photo.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    # The name changes whenever the photo does, so browsers may keep it for a day.
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
