"""Session notes in the staff area: write a note from the appointment page (a plain form that saves
and signs without JavaScript; with HTMX the draft also saves as the practitioner types), sign it, add
addenda, read a client's notes.

Who may do what is decided in longtide/practice/access.py: clinical content needs `chart_access`
(owners; the client's care team; everyone under shared care), writing and signing need
`may_write_note` (the session's practitioner), addenda `may_add_addendum`. Front desk and other
practices get a 404; a practitioner outside the care team a 403. Every page that shows a note's
content writes an audit row (notes.actions.record_read).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from longtide.audit.models import Action
from longtide.clients.models import Client
from longtide.intake.status import agreed_kinds, known_before_session
from longtide.lib.bounds import parse_id
from longtide.lib.pdf import Part, html_to_pdf
from longtide.measurement.models import Episode
from longtide.notes.actions import (
    NoteConflict,
    NoteError,
    add_addendum,
    cosign_note,
    last_signed_note,
    record_list_read,
    record_read,
    save_draft,
    sign_note,
    start_note,
    why_no_note,
)
from longtide.notes.models import SessionNote
from longtide.notes.overdue import cosignatures_due, notes_to_write
from longtide.practice.access import (
    ChartAccess,
    Perm,
    acting,
    awaits_cosignatures,
    can,
    may_add_addendum,
    may_cosign,
    may_write_note,
    member_required,
    role_in,
    sees_cosignatures_due,
    sees_everyones_notes_to_write,
)
from longtide.practice.models import Practice, Role
from longtide.records import chart
from longtide.scheduling.models import Appointment
from longtide.web import formats
from longtide.web.staff.calendar_grid import Booked, practice_zone
from longtide.web.staff.notes_forms import AddendumForm, NoteForm, NoteSearchForm
from longtide.web.times import when_label

# A client's list of notes, a page at a time (oldest first; the search narrows it).
NOTES_PER_PAGE = 20
# The audit row of a note put in a PDF download (a print that leaves the app as a file).
PDF_DETAIL = "PDF download"
# The most notes one PDF download lays out: about a tenth of a second each on the server (bench/
# notes_pdf.py), inside the request, so a client of some hundreds of notes would hold a worker past
# its timeout. More than this: the print page (any length), or one care episode at a time.
PDF_NOTES_MAX = 100
NOT_IN_CARE = gettext_lazy(
    "This client is not in your care, so their notes are not open to you. The client's practitioner or "
    "an owner can read them."
)


def _access(request: HttpRequest, practice: Practice, client: Client) -> ChartAccess:
    """The chart's rule (records/chart.py: care team, shared care, an open break-glass grant)."""
    access, _grant = chart.access_to(request.user, practice, client, timezone.now())
    if access is None:  # a student and a client outside their sessions: nothing, not even the name
        raise Http404("No such client")
    return access


def _not_in_care(request: HttpRequest, practice: Practice) -> HttpResponse:
    return render(request, "web/staff/notes/not_in_care.html", {"practice": practice, "why": NOT_IN_CARE}, status=403)


def _appointment(practice: Practice, pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.for_practice(practice).select_related(
            "practitioner", "client", "location", "service", "room"
        ),
        pk=pk,
    )


def _note_of(appointment: Appointment) -> SessionNote | None:
    return (
        SessionNote.objects.filter(appointment=appointment)
        .select_related("signed_by", "author", "cosignature", "checklist")
        .first()
    )


def _note_url(practice: Practice, appointment: Appointment) -> str:
    return reverse("staff-note", kwargs={"practice_slug": practice.slug, "pk": appointment.pk})


def note_panel(request: HttpRequest, practice: Practice, appointment: Appointment) -> dict[str, Any] | None:
    """What the appointment page says about its note: nothing for those who may not read it (front
    desk never learns even whether one exists), else its state and the link."""
    access, _grant = chart.access_to(request.user, practice, appointment.client, timezone.now())
    if access is None or not access.clinical:
        return None
    found = SessionNote.objects.filter(appointment=appointment).only("status", "late_entry").first()
    writer = may_write_note(request.user, practice, appointment.practitioner.user_id)
    return {
        "url": _note_url(practice, appointment),
        "note": found,
        "writer": writer,
        "why_not": why_no_note(appointment, timezone.now()) if found is None else None,
    }


@member_required(Perm.CLINICAL_READ)
@never_cache
def note(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """The appointment's note: start it, write the draft (save / autosave), or read it once signed."""
    appointment = _appointment(practice, pk)
    access = _access(request, practice, appointment.client)
    if not access.clinical:
        return _not_in_care(request, practice)
    by = acting(request, access.role)
    found = _note_of(appointment)
    writer = may_write_note(request.user, practice, appointment.practitioner.user_id)
    if request.method == "POST":
        if not writer:
            return _refused(request, practice, appointment, _("Only the session's practitioner writes its note."))
        if request.POST.get("action") == "start":
            try:
                started = start_note(
                    appointment,
                    by=by,
                    now=timezone.now(),
                    same_as_last=request.POST.get("same_as_last") == "1",
                    known=known_before_session(appointment),
                )
            except NoteError as error:
                messages.error(request, error.message)
                return redirect("staff-appointment", practice_slug=practice.slug, pk=appointment.pk)
            return redirect(_note_url(practice, appointment) + ("#note-form" if started else ""))
        if found is None:
            messages.error(request, _("Start the note first."))
            return redirect(_note_url(practice, appointment))
        return _save(request, practice, appointment, found, access)
    if found is not None:
        record_read(found, by=by, basis=str(access.basis))
    return _page(request, practice, appointment, found, access, writer=writer)


def _refused(request: HttpRequest, practice: Practice, appointment: Appointment, message: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/staff/notes/_save_status.html", {"problem": message}, status=403)
    context = {"practice": practice, "why": message}
    return render(request, "web/staff/notes/not_in_care.html", context, status=403)


def _keep_typed(form: NoteForm, *, revision: int) -> None:
    """Show the form again with what was typed, carrying the stored revision (saved or not)."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
    data["revision"] = str(revision)
    form.data = data


def _changes(form: NoteForm) -> dict[str, Any]:
    return form.changes()


def _save(
    request: HttpRequest, practice: Practice, appointment: Appointment, found: SessionNote, access: ChartAccess
) -> HttpResponse:
    """Save the draft: a plain POST (button or no JavaScript) or an HTMX autosave (answers a fragment)."""
    autosave = bool(request.htmx)  # type: ignore[attr-defined]
    form = NoteForm(request.POST, instance=found)
    by = acting(request, access.role)
    if found.is_signed:
        message = _("This note is signed and can no longer be changed. Add an addendum instead.")
        if autosave:
            return render(request, "web/staff/notes/_save_status.html", {"problem": message}, status=409)
        messages.error(request, message)
        return redirect(_note_url(practice, appointment))
    if not form.is_valid():
        if autosave:
            problems = (
                f"{form.fields[name].label if name in form.fields else ''}: {' '.join(str(e) for e in errors)}"
                for name, errors in form.errors.items()
            )
            problem = _("Not saved yet:") + " " + " ".join(p.lstrip(": ") for p in problems)
            return render(request, "web/staff/notes/_save_status.html", {"problem": problem}, status=422)
        return _page(request, practice, appointment, found, access, writer=True, form=form, status=422)
    try:
        saved = save_draft(
            found,
            _changes(form),
            revision=form.cleaned_data["revision"],
            by=by,
            editor=form.cleaned_data["editor"],
            submitted=not autosave,
        )
    except NoteConflict as conflict:
        if autosave:
            return render(
                request,
                "web/staff/notes/_save_status.html",
                {"problem": conflict.message, "conflict": True},
                status=409,
            )
        _keep_typed(form, revision=conflict.current_revision)  # the next save replaces the other version
        messages.error(request, conflict.message)
        return _page(request, practice, appointment, found, access, writer=True, form=form, status=409)
    except NoteError as error:
        messages.error(request, error.message)
        return redirect(_note_url(practice, appointment))
    if autosave:
        zone_name = str(appointment.location.zone)
        return render(request, "web/staff/notes/_save_status.html", {"saved": saved, "zone_name": zone_name})
    messages.success(request, _("Draft saved."))
    return redirect(_note_url(practice, appointment) + "#note-form")


@member_required(Perm.CLINICAL_READ)
@require_POST
def sign(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """Save what is on the page and sign and lock it, in one transaction (one button; nothing to re-type)."""
    appointment = _appointment(practice, pk)
    access = _access(request, practice, appointment.client)
    if not access.clinical:
        return _not_in_care(request, practice)
    if not may_write_note(request.user, practice, appointment.practitioner.user_id):
        return _refused(request, practice, appointment, _("Only the session's practitioner signs its note."))
    found = _note_of(appointment)
    if found is None:
        messages.error(request, _("Start the note first."))
        return redirect(_note_url(practice, appointment))
    if request.htmx:  # type: ignore[attr-defined]
        # An autosave: htmx sends it to the formaction of the form's last focused or clicked button,
        # so typing and then tabbing onto (or clicking) "Sign and lock" sends it here. Only the
        # button's own submission signs.
        return _save(request, practice, appointment, found, access)
    if found.is_signed:  # a double submit, or the back button
        messages.info(request, _("This note is already signed."))
        return redirect(_note_url(practice, appointment))
    by = acting(request, access.role)
    form = NoteForm(request.POST, instance=found)
    if not form.is_valid():
        return _page(request, practice, appointment, found, access, writer=True, form=form, status=422)
    try:
        # Saved and signed in one transaction under the note's lock: no other save lands between.
        sign_note(
            found,
            by=by,
            now=timezone.now(),
            consents_on_file=agreed_kinds(appointment.client),
            changes=_changes(form),
            revision=form.cleaned_data["revision"],
            editor=form.cleaned_data["editor"],
        )
    except NoteConflict as conflict:
        _keep_typed(form, revision=conflict.current_revision)
        messages.error(request, conflict.message)
        return _page(request, practice, appointment, found, access, writer=True, form=form, status=409)
    except NoteError as error:
        for field, message in error.fields.items():
            form.add_error(field if field in form.fields else None, message)
        if not error.fields:
            form.add_error(None, error.message)
        _keep_typed(form, revision=SessionNote.objects.get(pk=found.pk).revision)
        return _page(request, practice, appointment, found, access, writer=True, form=form, status=422, signing=True)
    messages.success(request, _("Signed. The note is locked; later changes are addenda."))
    return redirect(_note_url(practice, appointment))


@member_required(Perm.CLINICAL_READ)
@require_POST
def cosign(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """Co-sign a student's signed note (their supervisor, or an owner): one button, nothing to type."""
    appointment = _appointment(practice, pk)
    access = _access(request, practice, appointment.client)
    if not access.clinical:
        return _not_in_care(request, practice)
    found = _note_of(appointment)
    if found is None or not found.is_signed or found.cosign_by_id is None:
        messages.error(request, _("Only a student's signed note is co-signed."))
        return redirect(_note_url(practice, appointment))
    if not may_cosign(request.user, practice, supervisor_id=found.cosign_by_id):
        return _refused(request, practice, appointment, _("Only the student's supervisor or an owner co-signs a note."))
    if found.is_cosigned:  # a double submit, or the back button
        messages.info(request, _("This note is already co-signed."))
        return redirect(_note_url(practice, appointment))
    try:
        cosign_note(found, by=acting(request, access.role), now=timezone.now())
    except NoteError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Co-signed. The note and your co-signature are locked."))
    return redirect(_note_url(practice, appointment) + f"#signature-{found.pk}")


@member_required(Perm.CLINICAL_READ)
@require_POST
def addendum(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    appointment = _appointment(practice, pk)
    access = _access(request, practice, appointment.client)
    if not access.clinical:
        return _not_in_care(request, practice)
    found = _note_of(appointment)
    if found is None or not found.is_signed:
        messages.error(request, _("Only a signed note takes addenda; change the draft itself."))
        return redirect(_note_url(practice, appointment))
    if not may_add_addendum(
        request.user,
        practice,
        practitioner_user_id=appointment.practitioner.user_id,
        author_id=found.author_id,
        supervisor_id=found.cosign_by_id,
    ):
        why = (
            _("A student does not add to a note: ask your supervisor, who can add an addendum.")
            if access.role == Role.STUDENT
            else _("Only the session's practitioner, a student's supervisor or an owner adds to a note.")
        )
        return _refused(request, practice, appointment, why)
    form = AddendumForm(request.POST)
    by = acting(request, access.role)
    if form.is_valid():
        try:
            add_addendum(
                found, reason=form.cleaned_data["reason"], text=form.cleaned_data["text"], by=by, now=timezone.now()
            )
        except NoteError as error:
            for field, message in error.fields.items():
                form.add_error(field, message)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("Addendum added. The signed note is unchanged above it."))
            return redirect(_note_url(practice, appointment) + "#addenda")
    record_read(found, by=by, basis=str(access.basis))
    return _page(request, practice, appointment, found, access, writer=False, addendum_form=form, status=422)


def _page(
    request: HttpRequest,
    practice: Practice,
    appointment: Appointment,
    found: SessionNote | None,
    access: ChartAccess,
    *,
    writer: bool,
    form: NoteForm | None = None,
    addendum_form: AddendumForm | None = None,
    status: int = 200,
    signing: bool = False,
) -> HttpResponse:
    zone = appointment.location.zone
    editing = found is not None and not found.is_signed and writer
    if editing and form is None:
        assert found is not None
        form = NoteForm(instance=found, initial={"revision": found.revision, "editor": secrets.token_hex(8)})
    last = None
    if writer and (found is None or editing):
        last = last_signed_note(appointment)
        if last is not None:
            record_read(last, by=acting(request, access.role), basis=str(access.basis))
    may_amend = (
        found is not None
        and found.is_signed
        and may_add_addendum(
            request.user,
            practice,
            practitioner_user_id=appointment.practitioner.user_id,
            author_id=found.author_id,
            supervisor_id=found.cosign_by_id,
        )
    )
    context = {
        "practice": practice,
        "appointment": appointment,
        "note": found,
        "may_cosign": found is not None
        and found.needs_cosignature
        and found.author_id != request.user.pk
        and may_cosign(request.user, practice, supervisor_id=found.cosign_by_id),
        "form": form if editing else None,
        "editing": editing,
        "signing": signing,
        "writer": writer,
        "why_no_note": why_no_note(appointment, timezone.now()) if found is None else None,
        "last": last,
        "addenda": list(found.addenda.all()) if found is not None else [],
        "consents_on_file": agreed_kinds(appointment.client) if editing else frozenset(),
        "addendum_form": addendum_form or (AddendumForm() if may_amend else None),
        "may_amend": may_amend,
        "zone_name": str(zone),
        "when": when_label(appointment.start, zone),
        "appointment_url": reverse("staff-appointment", kwargs={"practice_slug": practice.slug, "pk": appointment.pk}),
        "client_notes_url": reverse(
            "staff-client-notes", kwargs={"practice_slug": practice.slug, "pk": appointment.client_id}
        ),
        "role": role_in(request.user, practice),
    }
    return render(request, "web/staff/notes/note.html", context, status=status)


def _as_in_json_text(query: str) -> str:
    """`query` as it is written inside the stored JSON text of a note's own fields, for icontains
    over it: SQLite keeps that text as Django wrote it (json.dumps, non-ASCII as \\u escapes), and
    PostgreSQL's jsonb prints non-ASCII as it is; both escape quotes, backslashes and control
    characters. An ASCII word without those is unchanged (the same query as before)."""
    return json.dumps(query, ensure_ascii=connection.vendor != "postgresql")[1:-1]


@member_required(Perm.CLINICAL_READ)
@never_cache
def client_notes(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """A client's notes in order, searchable (the text of the notes and their addenda)."""
    client = get_object_or_404(Client.objects.for_practice(practice), pk=pk)
    access = _access(request, practice, client)
    if not access.clinical:
        return _not_in_care(request, practice)
    search = NoteSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    notes = (
        SessionNote.objects.for_practice(practice)
        .filter(client=client)
        .select_related("appointment__practitioner", "appointment__service", "appointment__location")
        .select_related("cosignature", "checklist")
        .prefetch_related("addenda")
        .order_by("session_date", "id")
    )
    if query:
        words = Q()
        for name in ("subjective", "since_last", "objective", "client_response", "assessment", "plan"):
            words |= Q(**{f"{name}__icontains": query})
        # A practice's own fields too (the JSON's text: values, and the fields' keys).
        words |= Q(extra__icontains=_as_in_json_text(query))
        notes = notes.filter(words | Q(addenda__text__icontains=query)).distinct()
    page = Paginator(notes, NOTES_PER_PAGE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    record_list_read(client, by=acting(request, access.role), basis=str(access.basis), count=len(listed), query=query)
    context = {
        "practice": practice,
        "client": client,
        "notes": listed,
        "page": page,
        "search": search,
        "query": query,
        "episodes": list(Episode.objects.filter(practice=practice, client=client).order_by("-opened_on", "-pk")),
    }
    return render(request, "web/staff/notes/client_notes.html", context)


@member_required(Perm.CLINICAL_READ)
@never_cache
def to_write(request: HttpRequest, practice: Practice) -> HttpResponse:
    """Sessions still waiting for a signed note, oldest first, overdue ones marked: a practitioner's
    own, or everyone's for an owner. Names and dates only; no note content."""
    everyone = sees_everyones_notes_to_write(request.user, practice)
    now = timezone.now()
    today = now.astimezone(practice_zone(practice)).date()
    rows = notes_to_write(practice, now=now, today=today, practitioner_user_id=None if everyone else request.user.pk)
    to_cosign = None
    # A note names whoever was its student's supervisor when it was signed: they still see it after
    # the student has left or changed supervisor.
    if (
        sees_cosignatures_due(request.user, practice)
        or SessionNote.objects.filter(practice=practice, cosign_by=request.user.pk).exists()
    ):
        to_cosign = cosignatures_due(practice, today=today, supervisor_user_id=None if everyone else request.user.pk)
    # A student's own signed notes still awaiting their supervisor (theirs to follow up, not overdue for them).
    awaiting = (
        cosignatures_due(practice, today=today, student_user_id=request.user.pk)
        if awaits_cosignatures(request.user, practice)
        else None
    )
    context = {
        "practice": practice,
        "rows": rows,
        "to_cosign": to_cosign,
        "awaiting": awaiting,
        "everyone": everyone,
        "overdue": sum(row.overdue for row in rows),
        "overdue_cosign": sum(row.overdue for row in to_cosign or []),
        "zone_name": str(practice_zone(practice)),
    }
    return render(request, "web/staff/notes/to_write.html", context)


def calendar_note_marks(request: HttpRequest, practice: Practice, appointments: list[Booked]) -> int:
    """Mark the calendar's appointments whose note is overdue (`note_overdue`) and return how many
    notes are overdue in all: an owner's count is everyone's, a practitioner's their own. Front desk
    get nothing (not even whether a note exists). Names and dates only: no note is read."""
    if not can(request.user, Perm.CLINICAL_READ, practice):
        return 0
    everyone = sees_everyones_notes_to_write(request.user, practice)
    now = timezone.now()
    today = now.astimezone(practice_zone(practice)).date()
    mine = None if everyone else request.user.pk
    rows = notes_to_write(practice, now=now, today=today, practitioner_user_id=mine)
    overdue = {row.appointment.pk for row in rows if row.overdue}
    # A student's signed note still without the co-signature past the practice's days: the
    # supervisor's overdue note (an owner's too), counted and marked like an unsigned one.
    waiting = cosignatures_due(practice, today=today, supervisor_user_id=mine)
    overdue |= {row.note.appointment_id for row in waiting if row.overdue}
    for appointment in appointments:
        if appointment.pk in overdue:
            appointment.note_overdue = True
    return len(overdue)


def _printed_notes(notes: list[SessionNote], request: HttpRequest, access: ChartAccess, *, pdf: bool = False) -> None:
    """Each note shown for printing, or put in a PDF download, is a print in the audit trail (the
    browser's own print is not seen); a download says so in the row's detail."""
    by = acting(request, access.role)
    for found in notes:
        record_read(found, by=by, basis=str(access.basis), action=Action.PRINT, detail=PDF_DETAIL if pdf else "")


def _print_context(
    request: HttpRequest, practice: Practice, notes: list[SessionNote], **context: Any
) -> dict[str, Any]:
    user: Any = request.user
    return {
        "practice": practice,
        "notes": notes,
        "zone_name": str(practice_zone(practice)),
        "printed_at": timezone.now(),
        "printed_by": user.get_full_name() or user.get_username(),
        **context,
    }


def _print_page(request: HttpRequest, practice: Practice, notes: list[SessionNote], **context: Any) -> HttpResponse:
    return render(request, "web/staff/notes/print.html", _print_context(request, practice, notes, **context))


def _pdf_download(
    request: HttpRequest, practice: Practice, notes: list[SessionNote], *, filename: str, **context: Any
) -> HttpResponse:
    """The print page's notes as a PDF file, each note from a new page, laid out from the same
    templates (web/staff/notes/pdf.html includes _printed_note.html) by longtide/lib/pdf.py. Every
    page of an unsigned note is headed DRAFT. A neutral file name (no client's name in a downloads
    folder or a mail's list of attachments); never cached."""
    full = _print_context(request, practice, notes, **context)
    parts: list[Part] = []
    for index, found in enumerate(notes):
        html = render_to_string("web/staff/notes/pdf.html", {**full, "notes": [found], "intro": index == 0}, request)
        parts.append(Part(html, banner="" if found.is_signed else gettext("DRAFT — not signed")))
    if not parts:
        parts.append(Part(render_to_string("web/staff/notes/pdf.html", {**full, "intro": True}, request)))
    document = html_to_pdf(parts, title=full["title"], footer=f"{practice.name} · {full['title']}")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _for_print(practice: Practice) -> Any:
    return (
        SessionNote.objects.for_practice(practice)
        .select_related(
            "appointment__practitioner",
            "appointment__service",
            "appointment__location",
            "appointment__room",
            "appointment__client",
            "cosignature",
            "checklist",
        )
        .prefetch_related("addenda")
        .order_by("session_date", "appointment__start", "id")
    )


def _one_note(request: HttpRequest, practice: Practice, pk: int, *, pdf: bool) -> HttpResponse:
    appointment = _appointment(practice, pk)
    access = _access(request, practice, appointment.client)
    if not access.clinical:
        return _not_in_care(request, practice)
    notes = list(_for_print(practice).filter(appointment=appointment))
    if not notes:
        raise Http404("No note for this appointment")
    _printed_notes(notes, request, access, pdf=pdf)
    title = _("Session note: %(name)s") % {"name": appointment.client.full_name}
    if pdf:
        return _pdf_download(request, practice, notes, title=title, filename=f"session-note-{notes[0].pk}.pdf")
    return _print_page(
        request,
        practice,
        notes,
        title=title,
        back_url=_note_url(practice, appointment),
        back_label=_("Back to the note"),
        pdf_url=reverse("staff-note-pdf", kwargs={"practice_slug": practice.slug, "pk": appointment.pk}),
    )


@member_required(Perm.CLINICAL_READ)
@never_cache
def note_print(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """One note laid out for printing; opening it is audited as a print."""
    return _one_note(request, practice, pk, pdf=False)


@member_required(Perm.CLINICAL_READ)
@never_cache
def note_pdf(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """The printable note as a PDF download, for exactly those who may print it; audited as a print."""
    return _one_note(request, practice, pk, pdf=True)


def _client_notes(request: HttpRequest, practice: Practice, pk: int, *, pdf: bool) -> HttpResponse:
    client = get_object_or_404(Client.objects.for_practice(practice), pk=pk)
    access = _access(request, practice, client)
    if not access.clinical:
        return _not_in_care(request, practice)
    notes = _for_print(practice).filter(client=client)
    episode = None
    if "episode" in request.GET:
        episode_id = parse_id(request.GET.get("episode"))
        if episode_id is None:
            raise Http404("No such episode")
        episode = get_object_or_404(Episode.objects.filter(practice=practice, client=client), pk=episode_id)
        notes = notes.filter(session_date__gte=episode.opened_on)
        if episode.closed_on is not None:
            notes = notes.filter(session_date__lte=episode.closed_on)
    listed = list(notes)
    kwargs = {"practice_slug": practice.slug, "pk": client.pk}
    if pdf and len(listed) > PDF_NOTES_MAX:
        messages.error(
            request,
            _(
                "These are %(count)d notes, more than one PDF holds (%(max)d): print them from this page, "
                "or download one care episode at a time."
            )
            % {"count": len(listed), "max": PDF_NOTES_MAX},
        )
        return redirect(reverse("staff-notes-print", kwargs=kwargs) + (f"?episode={episode.pk}" if episode else ""))
    _printed_notes(listed, request, access, pdf=pdf)
    title = _("Session notes: %(name)s") % {"name": client.full_name}
    if episode is not None:
        written = formats.current()
        start = written.date(episode.opened_on, "j M Y")
        if episode.closed_on:
            end = written.date(episode.closed_on, "j M Y")
            title += ", " + _("episode from %(start)s to %(end)s") % {"start": start, "end": end}
        else:
            title += ", " + _("episode from %(start)s") % {"start": start}
    if pdf:
        name = f"session-notes-client-{client.pk}" + (f"-episode-{episode.pk}" if episode else "")
        return _pdf_download(request, practice, listed, title=title, episode=episode, filename=f"{name}.pdf")
    return _print_page(
        request,
        practice,
        listed,
        title=title,
        episode=episode,
        back_url=reverse("staff-client-notes", kwargs=kwargs),
        back_label=_("Back to the notes"),
        pdf_url=(
            reverse("staff-notes-pdf", kwargs=kwargs) + (f"?episode={episode.pk}" if episode else "")
            if len(listed) <= PDF_NOTES_MAX
            else ""
        ),
    )


@member_required(Perm.CLINICAL_READ)
@never_cache
def notes_print(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """A client's notes in order for printing, all or one care episode's (`?episode=<id>`: the notes of
    sessions from the day it opened to the day it closed); each note shown is audited as a print."""
    return _client_notes(request, practice, pk, pdf=False)


@member_required(Perm.CLINICAL_READ)
@never_cache
def notes_pdf(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    """The printable notes (all, or one episode's) as a PDF download; each note in it audited as a print."""
    return _client_notes(request, practice, pk, pdf=True)
