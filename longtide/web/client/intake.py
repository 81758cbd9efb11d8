"""The client's intake and consent form, reached from a private link (no login), in steps.

Each step is an ordinary form (works without JavaScript, on a phone): POST saves it as a draft and
goes on to the next step; a step with problems comes back with one message per field and what was
typed. The last step signs the consents and submits; the answer page then says, in plain words,
what happens next (docs/intake.md). A second submit finds the intake sent and shows the same page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from longtide.audit.trail import Origin
from longtide.intake import actions, display, form, links, screening, status
from longtide.intake.models import Intake, IntakeLink, IntakeStatus
from longtide.lib.bounds import parse_id
from longtide.practice.models import Practice
from longtide.scheduling.models import Status
from longtide.web.client.manage import _appointment, contact_line
from longtide.web.times import when_label


def _today(link: IntakeLink) -> date:
    return actions.practice_today(link.client.practice)


def _refused(request: HttpRequest, link: IntakeLink) -> HttpResponse:
    return _closed(request, link.client.practice)


def _closed(request: HttpRequest, practice: Practice) -> HttpResponse:
    """The intake's closed page (410): an expired or voided link, or a booking whose link no longer
    opens the client's own records (`Appointment.opens_own_records`)."""
    context = {"practice": practice, "contact": contact_line(practice)}
    return render(request, "web/intake/expired.html", context, status=410)


def _open(request: HttpRequest, practice_slug: str, token: str) -> tuple[IntakeLink, Intake | None]:
    link, works = links.find(token)
    if link is None or link.client.practice.slug != practice_slug:
        raise Http404(_("This link is not valid. Please use the link in your email."))
    if not works:
        raise _Gone(link)
    draft = Intake.objects.filter(client=link.client, status=IntakeStatus.DRAFT).select_related("form").first()
    return link, draft


class _Gone(Exception):
    def __init__(self, link: IntakeLink) -> None:
        self.link = link


def _guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapper(request: HttpRequest, practice_slug: str, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = view(request, practice_slug, token, *args, **kwargs)
            return response
        except _Gone as gone:
            return _refused(request, gone.link)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return never_cache(wrapper)


def _progress(intake: Intake, current: str) -> list[dict[str, object]]:
    return [
        {"key": step.key, "title": step.title, "done": step.key in intake.steps_done, "current": step.key == current}
        for step in form.STEPS
    ]


def _next_step(intake: Intake) -> str:
    return next((s for s in form.STEP_KEYS if s not in intake.steps_done), "consent")


@_guard
def start(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """The link's landing page: the form to continue, or the answer to a sent form."""
    link, draft = _open(request, practice_slug, token)
    if draft is None:
        current = actions.current_intake(link.client)
        if current is not None and actions.documents_to_sign_again(link.client):
            return redirect("intake-sign-again", practice_slug=practice_slug, token=token)
        if current is not None:
            return redirect("intake-done", practice_slug=practice_slug, token=token)
        draft = actions.draft_for(link.client)
    return redirect("intake-step", practice_slug=practice_slug, token=token, step=_next_step(draft))


def _values(intake: Intake, step: str) -> dict[str, Any]:
    """What to show in the step's fields: what was typed (after a problem), else the saved answers."""
    typed = intake.typed.get(step)
    if typed is not None:
        return dict(typed)
    saved = dict(intake.answers.get(step, {}))
    if step == "reasons":
        for key, value in (saved.get("severity") or {}).items():
            saved[f"severity_{key}"] = str(value)
    if step == "screen":
        return {f"q_{k}": {True: "yes", False: "no"}.get(v, "") for k, v in saved.items()}
    return saved


def _post_data(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in request.POST:
        if key in ("csrfmiddlewaretoken", "action"):
            continue
        # Kept as typed (to show again), minus what no page or database should hold: NUL and other
        # control characters; and never more than a long answer's worth.
        values = [_printable(v)[: form.LONG_TEXT_MAX + 100] for v in request.POST.getlist(key)[:20]]
        data[_printable(key)[:60]] = values if key == "reasons" else values[-1]
    return data


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch >= " " or ch in "\n\t")


def _ids(posted: list[str]) -> set[int]:
    """The document ids a form posted; anything that is not an id (e.g. "²", which str.isdigit()
    takes for a digit and int() refuses) is left out."""
    return {pk for v in posted if (pk := parse_id(v)) is not None}


@_guard
def step(request: HttpRequest, practice_slug: str, token: str, step: str) -> HttpResponse:
    link, draft = _open(request, practice_slug, token)
    if step not in form.STEP_KEYS:
        raise Http404(_("There is no such step."))
    if draft is None:
        if actions.current_intake(link.client) is not None:
            # Sent already (a second send, the back button, an old bookmark): say what happens next.
            return redirect("intake-done", practice_slug=practice_slug, token=token)
        draft = actions.draft_for(link.client)
    today = _today(link)
    definition = actions.definition_of(draft.form)
    errors: dict[str, str] = {}
    code = 200
    if request.method == "POST" and step != "consent":
        try:
            checked = actions.save_step(draft, step, _post_data(request), today=today)
        except actions.IntakeError:
            # Sent meanwhile from another tab (after _open found the draft): say what happens next.
            return redirect("intake-done", practice_slug=practice_slug, token=token)
        if checked.ok:
            if request.POST.get("action") == "later":
                messages.success(request, _("Saved. You can come back to this link at any time to finish."))
                return redirect("intake-step", practice_slug=practice_slug, token=token, step=step)
            return redirect("intake-step", practice_slug=practice_slug, token=token, step=_after(step))
        errors, code = checked.errors, 422
    elif request.method == "POST":
        return _submit(request, link, draft, today)
    return render(
        request, "web/intake/step.html", _step_context(link, draft, step, definition, today, errors), status=code
    )


def _after(step: str) -> str:
    index = form.STEP_KEYS.index(step)
    return form.STEP_KEYS[min(index + 1, len(form.STEP_KEYS) - 1)]


def _step_context(
    link: IntakeLink, draft: Intake, step: str, definition: form.Definition, today: date, errors: dict[str, str]
) -> dict[str, Any]:
    practice = link.client.practice
    values = _values(draft, step)
    current = next(s for s in form.STEPS if s.key == step)
    context: dict[str, Any] = {
        "practice": practice,
        "token": links.token_of(link),
        "step": current,
        "steps": _progress(draft, step),
        "number": form.STEP_KEYS.index(step) + 1,
        "total": len(form.STEPS),
        "errors": errors,
        "form_error": errors.get("", ""),
        "values": values,
        "fields": [_field(f, values, errors) for f in definition.fields_of(step)],
        "previous": form.STEP_KEYS[form.STEP_KEYS.index(step) - 1] if step != form.STEP_KEYS[0] else "",
    }
    if step == "reasons":
        chosen = set(values.get("reasons") or [])
        context["reasons"] = [
            {
                "key": key,
                "label": _(label),
                "checked": key in chosen,
                "severity": str(values.get(f"severity_{key}", "")),
                "main": values.get("main_reason") == key,
                "error": errors.get(f"severity_{key}", ""),
            }
            for key, label in form.REASONS
        ]
        context["scale"] = [str(n) for n in range(11)]
    if step == "screen":
        context["questions"] = [
            {
                "key": f"q_{item.key}",
                "text": display.shown_question(item),
                "value": values.get(f"q_{item.key}", ""),
                "error": errors.get(f"q_{item.key}", ""),
            }
            for item in screening.questions(definition.screen)
        ]
    if step == "consent":
        context.update(_consent_context(link, draft, today, values=None, errors=errors))
    return context


def _field(f: form.Field, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """One answer on the page: its value as typed, its error (shown under it) and the ids that
    describe it to a screen reader (the error first, then the help)."""
    error = errors.get(f.key, "")
    described_by = " ".join(([f"f-{f.key}-error"] if error else []) + ([f"f-{f.key}-help"] if f.help else []))
    return {"f": display.shown_field(f), "value": values.get(f.key, ""), "error": error, "described_by": described_by}


def _consent_context(
    link: IntakeLink, draft: Intake, today: date, values: dict[str, Any] | None, errors: dict[str, str]
) -> dict[str, Any]:
    documents = actions.current_documents(link.client.practice)
    agreed = set((values or {}).get("agreed", []))
    return {
        "documents": [
            {"doc": d, "checked": str(d.pk) in agreed, "error": errors.get(f"consent_{d.pk}", "")} for d in documents
        ],
        "minor": actions.client_is_minor(draft, today),
        **_urgent_notice(link, draft, today),
        "missing_steps": [s for s in form.STEPS[:-1] if s.key not in draft.steps_done],
        "typed_name": (values or {}).get("typed_name", ""),
        "relationship": (values or {}).get("relationship", ""),
    }


def _urgent_notice(link: IntakeLink, draft: Intake, today: date) -> dict[str, Any]:
    """What cannot wait for the consents: the screen's answers describe an emergency, or thoughts of
    self-harm (actions.urgent_result). Told on the consent page, before anything is signed, in the
    words of the page shown after sending; the flags and the practitioner's alert were raised when
    the screen step was saved."""
    found = actions.urgent_result(draft, today)
    if not found.flags:
        return {"urgent": None}
    settings = actions.intake_settings(link.client.practice)
    number = {"number": settings.emergency_number, "crisis_line": settings.crisis_line}
    emergency = found.level == screening.Level.EMERGENCY
    return {
        "urgent": {
            "emergency": emergency,
            "title": _(screening.CLIENT_TITLE[screening.Level.EMERGENCY]) if emergency else "",
            "text": _(screening.CLIENT_TEXT[screening.Level.EMERGENCY]) % number if emergency else "",
            "crisis": _(screening.CRISIS_TEXT) % number if found.crisis else "",
            "number": settings.emergency_number,
        }
    }


def _submit(request: HttpRequest, link: IntakeLink, draft: Intake, today: date) -> HttpResponse:
    agreed_ids = _ids(request.POST.getlist("agreed"))
    # Without control characters, as everything stored or shown (docs/intake.md); cut only well past
    # the limits check_consent applies, so a long answer is refused with a message, never stored cut.
    answer = actions.ConsentAnswer(
        agreed_ids,
        _printable(request.POST.get("typed_name", ""))[:300],
        _printable(request.POST.get("relationship", ""))[:150],
    )
    # The documents the page showed: a version published meanwhile is shown, not signed unseen.
    shown = _ids(request.POST.getlist("shown")) if "shown" in request.POST else None
    done = actions.submit(draft, answer, origin=Origin.of(request), today=today, shown=shown)
    token = links.token_of(link) or ""
    if not done.errors:
        return redirect("intake-done", practice_slug=link.client.practice.slug, token=token)
    definition = actions.definition_of(draft.form)
    context = _step_context(link, draft, "consent", definition, today, done.errors)
    context.update(
        _consent_context(
            link,
            draft,
            today,
            values={
                "agreed": request.POST.getlist("agreed"),
                "typed_name": answer.typed_name,
                "relationship": answer.relationship,
            },
            errors=done.errors,
        )
    )
    return render(request, "web/intake/step.html", context, status=422)


@_guard
def done(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    link, draft = _open(request, practice_slug, token)
    current = actions.current_intake(link.client)
    if current is None:
        return redirect("intake-start", practice_slug=practice_slug, token=token)
    practice = link.client.practice
    settings = actions.intake_settings(practice)
    # What still stands: a flag the practitioner has acknowledged no longer needs the client to act.
    level = status.summary(link.client).open_level
    crisis = current.flags.open().filter(crisis=True).exists()
    number = {"number": settings.emergency_number, "crisis_line": settings.crisis_line}
    context = {
        "practice": practice,
        "level": level.name.lower() if level else "none",
        "title": _(screening.CLIENT_TITLE[level]),
        "text": _(screening.CLIENT_TEXT[level]) % number
        if level == screening.Level.EMERGENCY
        else _(screening.CLIENT_TEXT[level]),
        "crisis": _(screening.CRISIS_TEXT) % number if crisis else "",
        "emergency_number": settings.emergency_number,
        "contact": contact_line(practice),
        "draft": draft,
        "token": token,
    }
    return render(request, "web/intake/done.html", context)


@_guard
def sign_again(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """Sign a new version of a consent document without redoing the intake (actions.sign_again)."""
    link, draft = _open(request, practice_slug, token)
    client = link.client
    if draft is not None or actions.current_intake(client) is None:
        return redirect("intake-start", practice_slug=practice_slug, token=token)
    today = _today(link)
    intake = actions.current_intake(client)
    assert intake is not None
    values: dict[str, Any] = {"agreed": [], "typed_name": "", "relationship": ""}
    errors: dict[str, str] = {}
    signed = False
    if request.method == "POST":
        values = {
            "agreed": request.POST.getlist("agreed"),
            "typed_name": _printable(request.POST.get("typed_name", ""))[:300],
            "relationship": _printable(request.POST.get("relationship", ""))[:150],
        }
        agreed_ids = _ids(values["agreed"])
        answer = actions.ConsentAnswer(agreed_ids, values["typed_name"], values["relationship"])
        # The documents the page showed (a version published meanwhile is shown, not signed unseen).
        shown = _ids(request.POST.getlist("shown"))
        result = actions.sign_again(
            client, answer, origin=Origin.of(request), today=today, shown=shown if "shown" in request.POST else None
        )
        errors = result.errors
        signed = bool(result.signed)
    documents = [] if signed else actions.documents_to_sign_again(client)
    context = {
        "practice": client.practice,
        "token": token,
        "signed": signed,
        "documents": [
            {"doc": d, "checked": str(d.pk) in values["agreed"], "error": errors.get(f"consent_{d.pk}", "")}
            for d in documents
        ],
        "minor": actions.client_is_minor(intake, today),
        "typed_name": values["typed_name"],
        "relationship": values["relationship"],
        "errors": errors,
    }
    return render(request, "web/intake/sign_again.html", context, status=422 if errors else 200)


# From the manage page (the booking's own private link).


def from_booking(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """Open the intake of the booking's client: their live link, or a new one."""
    appointment = _appointment(practice_slug, token)
    if appointment.status not in (Status.BOOKED, Status.HELD):
        raise Http404(_("This booking is not active."))
    if not appointment.opens_own_records(timezone.now()):
        # The client's contact details were erased on request: an old booking email opens nothing.
        return _closed(request, appointment.practice)
    client = appointment.client
    with transaction.atomic():
        try:
            link = links.link_or_new(client)
        except links.ErasedClient:
            return _closed(request, appointment.practice)
        found = status.summary(client)
        if found.intake_done and not found.intake_started and actions.documents_to_sign_again(client):
            # A new consent version: sign just the changed documents, not the whole intake again.
            return redirect("intake-sign-again", practice_slug=practice_slug, token=links.token_of(link) or "")
        if found.intake_done and not found.intake_started:
            # Done before: the booking's page asks whether anything is new since.
            return redirect(reverse("manage-booking", args=[practice_slug, token]) + "#intake-panel")
    return redirect(links.intake_path(link))


@require_POST
def anything_new(request: HttpRequest, practice_slug: str, token: str) -> HttpResponse:
    """The client's answer to "anything new since your last visit?" for this booking."""
    appointment = _appointment(practice_slug, token)
    if not appointment.opens_own_records(timezone.now()):
        # An old booking email of a client whose contact details were erased on request (or a visit
        # long past): no new intake prefilled with their answers, no visit check.
        return _closed(request, appointment.practice)
    answer = request.POST.get("anything_new")
    if answer not in ("yes", "no") or appointment.status != Status.BOOKED:
        messages.error(request, _("Please answer yes or no."))
        return redirect("manage-booking", practice_slug=practice_slug, token=token)
    draft = actions.answer_visit_check(appointment, anything_new=answer == "yes")
    if draft is None:
        messages.success(
            request,
            _("Thank you. See you on %(when)s.") % {"when": when_label(appointment.start, appointment.location.zone)},
        )
        return redirect("manage-booking", practice_slug=practice_slug, token=token)
    try:
        link = links.link_or_new(appointment.client)
    except links.ErasedClient:
        return _closed(request, appointment.practice)
    return redirect(links.intake_path(link))
