"""What a practice offers and who offers it: saving services and practitioners, their order on the site."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.text import slugify

from longtide.practice.models import Practice, Practitioner, Room, Service


def unique_slug(
    practice: Practice, model: type[Service] | type[Practitioner], text: str, *, exclude: int | None = None
) -> str:
    """Return a slug for `text` not yet used by another `model` row of the practice (name, name-2, …)."""
    base = (slugify(text) or model.__name__.lower())[:50].strip("-") or model.__name__.lower()
    rows = model.objects.filter(practice=practice)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    taken = set(rows.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def next_sort_order(rows: models.QuerySet[Service] | models.QuerySet[Practitioner]) -> int:
    return (rows.aggregate(m=models.Max("sort_order"))["m"] or 0) + 1 if rows.exists() else 0


def save_service(*, service: Service, practitioners: Iterable[Practitioner], rooms: Iterable[Room]) -> Service:
    """Save a service (a slug and a place at the end of the list when new) with who and where offers it."""
    with transaction.atomic():
        if service.pk is None:
            service.slug = unique_slug(service.practice, Service, service.name)
            service.sort_order = next_sort_order(Service.objects.filter(practice=service.practice))
        service.save()
        service.practitioners.set(list(practitioners))
        service.rooms.set(list(rooms))
    return service


def save_practitioner(
    *,
    practitioner: Practitioner,
    services: Iterable[Service],
    photo: ContentFile[bytes] | None = None,
    remove_photo: bool = False,
) -> Practitioner:
    """Save a practitioner with the services they offer; store a prepared photo (practice/photos.py) or
    remove the current one. The replaced file is deleted once the change is committed."""
    with transaction.atomic():
        if practitioner.pk is None:
            practitioner.slug = unique_slug(practitioner.practice, Practitioner, practitioner.display_name)
            practitioner.sort_order = next_sort_order(Practitioner.objects.filter(practice=practitioner.practice))
        old_name = (
            Practitioner.objects.filter(pk=practitioner.pk).values_list("photo", flat=True).first()
            if practitioner.pk
            else None
        )
        if photo is not None:
            practitioner.photo.save(photo.name or "photo.jpg", photo, save=False)
        elif remove_photo:
            practitioner.photo = None
        practitioner.save()
        practitioner.services.set(list(services))
        if old_name and old_name != practitioner.photo.name:
            storage = practitioner.photo.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return practitioner


def move_in_order(*, item: Service | Practitioner, direction: Literal["up", "down"]) -> None:
    """Swap the item with its neighbour in the practice's display order (numbering them 0, 1, 2, … first)."""
    model = type(item)
    with transaction.atomic():
        # The site's own order (sort_order, then name), so that "up" moves it up on the page too.
        order = [str(f) for f in model._meta.ordering or [] if f != "practice"]
        rows = list(model.objects.select_for_update().filter(practice_id=item.practice_id).order_by(*order, "pk"))
        ids = [row.pk for row in rows]
        index = ids.index(item.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(ids):
            return
        ids[index], ids[other] = ids[other], ids[index]
        for position, pk in enumerate(ids):
            model.objects.filter(pk=pk).update(sort_order=position)
