"""Settings → Intake and consent (owners): the emergency number and crisis line clients are shown,
the consent documents with their versions, and publishing a new version of one (clients who signed
an older version are asked to sign the new one before their next visit: docs/intake.md)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from longtide.intake import actions, form
from longtide.intake.models import ConsentDocument
from longtide.lib.i18n_marks import MarkedError
from longtide.practice.models import Practice
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.guard import owner_page
from longtide.web.staff.setup.intake_forms import ConsentVersionForm, IntakeNumbersForm, QuestionForm, ScreenItemForm


@owner_page()
def intake_settings(request: HttpRequest, practice: Practice) -> HttpResponse:
    form = IntakeNumbersForm(request.POST or None, instance=actions.intake_settings(practice))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved the emergency number and crisis line."))
        return redirect(request.path)
    documents = actions.current_documents(practice)
    versions = dict(
        ConsentDocument.objects.filter(practice=practice).values_list("kind").annotate(n=Count("pk")).order_by()
    )
    context = {
        "practice": practice,
        "section": "intake",
        "form": form,
        "documents": [(d, versions.get(d.kind, 1)) for d in documents],
    }
    return render(request, "web/staff/settings/intake.html", context, status=form_status(form))


@owner_page()
def consent_document(request: HttpRequest, practice: Practice, kind: str) -> HttpResponse:
    current = next((d for d in actions.current_documents(practice) if d.kind == kind), None)
    if current is None:
        raise Http404("No such document")
    initial = {"title": current.title, "text": current.text, "agree_label": current.agree_label}
    form = ConsentVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        text = data["text"].replace("\r\n", "\n")
        if (data["title"], text, data["agree_label"]) == (current.title, current.text, current.agree_label):
            form.add_error(None, _("Nothing has changed: this is the current version's wording."))
        else:
            published = actions.publish_document(practice, kind, data["title"], text, data["agree_label"])
            messages.success(
                request,
                _(
                    "Published version %(version)s of “%(title)s”. Clients who signed an earlier version are asked "
                    "to sign this one before their next visit."
                )
                % {"version": published.version, "title": published.title},
            )
            return redirect("settings-intake", practice_slug=practice.slug)
    earlier = ConsentDocument.objects.filter(practice=practice, kind=kind).order_by("-version")
    context = {"practice": practice, "section": "intake", "form": form, "current": current, "earlier": earlier}
    return render(request, "web/staff/settings/consent_document.html", context, status=form_status(form))


@owner_page()
def questions(request: HttpRequest, practice: Practice) -> HttpResponse:
    """The practice's own intake questions and safety items: each change publishes a new form version
    (answers stay with the version they answered; the shipped safety items cannot be weakened)."""
    current = actions.current_form(practice)
    question_form = QuestionForm(request.POST if request.POST.get("action") == "question" else None)
    item_form = ScreenItemForm(request.POST if request.POST.get("action") == "screen" else None)
    status = 200
    if request.method == "POST":
        definition: dict[str, object] | None = None
        action = request.POST.get("action")
        try:
            if action == "question" and question_form.is_valid():
                data = question_form.cleaned_data
                definition = form.with_question(
                    current.definition,
                    label=" ".join(data["label"].split()),
                    kind=data["kind"],
                    required=data["required"],
                    choices=data["choice_list"],
                    help=" ".join(data["help"].split()),
                )
            elif action == "screen" and item_form.is_valid():
                data = item_form.cleaned_data
                definition = form.with_screen_item(
                    current.definition,
                    question=" ".join(data["question"].split()),
                    level=data["level"],
                    staff_label=" ".join(data["staff_label"].split()),
                )
            elif action == "remove":
                key = request.POST.get("key", "")[:60]
                if form.without(current.definition, key) == form.without(current.definition, ""):
                    messages.error(request, _("That question is not one of the practice's own."))
                    return redirect(request.path)
                definition = form.without(current.definition, key)
            published = actions.publish_form(practice, definition) if definition is not None else None
        except ValueError as error:  # the pure modules' refusals (MarkedError) in the user's language
            shown = error.translated(_) if isinstance(error, MarkedError) else str(error)
            (question_form if action == "question" else item_form).add_error(None, shown)
        else:
            if published is not None:
                messages.success(
                    request,
                    _("Published form version %(label)s: new intakes use it from now on.") % {"label": published.label},
                )
                return redirect(request.path)
        # A question or safety item to fix: 422 with the messages; an action no form knows: 400.
        status = form_status(question_form, item_form) if action in ("question", "screen") else 400
    built = actions.definition_of(current)
    context = {
        "practice": practice,
        "section": "intake",
        "current": current,
        "own_questions": built.extra_fields,
        "own_items": [item for item in built.screen if not item.shipped],
        "shipped_items": [item for item in built.screen if item.shipped and not item.fact],
        "question_form": question_form,
        "item_form": item_form,
    }
    return render(request, "web/staff/settings/intake_questions.html", context, status=status)
