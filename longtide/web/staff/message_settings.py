"""The owner's settings for messages: when reminders go, whether check-ins go, and the practice's own
wording of each message, with a preview.

Wording uses the `{{ field }}` language only (notifications/template_language.py); the HTML part
of an email is made from the text (notifications/email_html.py), so nobody writes HTML here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csp import csp_override

from longtide.notifications import links
from longtide.notifications.compose import (
    MessageKind,
    Wording,
    compose,
    problems,
    reset_wording,
    save_wording,
    wordings,
)
from longtide.notifications.models import Channel
from longtide.notifications.sms import segments
from longtide.practice.models import Practice
from longtide.scheduling.booking_messages import preview_fields
from longtide.scheduling.message_texts import KINDS, KINDS_BY_KEY, PURPOSE_LABELS
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.guard import owner_page


class ReminderSettingsForm(forms.ModelForm[Practice]):
    class Meta:
        model = Practice
        # check-ins: a day after each completed session, while the practice sends them (checkins/actions.py)
        fields = ["reminder_hours_first", "reminder_hours_second", "send_checkins"]


class WaitlistAndFeedsForm(forms.ModelForm[Practice]):
    """Saved by its own button (`section=waitlist`), so each form keeps what was typed in the other."""

    class Meta:
        model = Practice
        fields = ["waitlist_offer_minutes", "calendar_feed_names", "calendar_feed_label"]
        widgets = {"calendar_feed_names": forms.RadioSelect}


class WordingForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=gettext_lazy("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"})
    )

    def __init__(self, kind: MessageKind, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind.channel == Channel.SMS:
            del self.fields["subject"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "body" in data:
            found = problems(self.kind, subject=data.get("subject", ""), body=data["body"])
            for field, errors in found.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        return data


@owner_page()
def message_settings(request: HttpRequest, practice: Practice) -> HttpResponse:
    posted = request.POST if request.method == "POST" else None
    other = posted is not None and posted.get("section") == "waitlist"
    form = ReminderSettingsForm(None if other else posted, instance=practice)
    other_form = WaitlistAndFeedsForm(posted if other else None, instance=practice)
    saving = other_form if other else form
    if posted is not None and saving.is_valid():
        saving.save()
        if other:
            messages.success(request, _("Saved how long waitlist offers are held and what calendar feeds show."))
        else:
            messages.success(request, _("Saved when reminders and check-ins go."))
        return redirect("staff-message-settings", practice_slug=practice.slug)
    current = wordings(practice.pk, KINDS)
    kinds = [(kind, PURPOSE_LABELS[kind.purpose], current[kind.key].customised) for kind in KINDS]  # type: ignore[index]
    context = {"practice": practice, "form": form, "other_form": other_form, "kinds": kinds, "section": "messages"}
    return render(request, "web/staff/settings/messages.html", context, status=form_status(form, other_form))


def _preview(practice: Practice, kind: MessageKind, subject: str, body: str) -> dict[str, Any]:
    base = f"{settings.PUBLIC_BASE_URL}/p/{practice.slug}"
    example = {"manage_url": f"{base}/manage/EXAMPLE-PRIVATE-LINK/", "checkin_url": f"{base}/checkin/EXAMPLE-LINK/"}
    composed = compose(kind, Wording(subject, body, customised=True), preview_fields(practice, now=timezone.now()))
    preview: dict[str, Any] = {
        "subject": composed.subject,
        "text": links.fill(composed.text, example),
        "html": links.fill(composed.html, example, escape=True),
    }
    if kind.channel == Channel.SMS:
        parts, encoding = segments(preview["text"])
        preview["length"] = _("%(chars)d characters: %(parts)d part(s), %(encoding)s") % {
            "chars": len(preview["text"]),
            "parts": parts,
            "encoding": encoding,
        }
    return preview


# The preview shows the email as an email program would, with the inline styles emails need; an
# iframe's srcdoc takes this page's Content-Security-Policy, so this one page allows style
# attributes (never scripts: the iframe is sandboxed and the policy still forbids them).
PREVIEW_CSP: dict[str, Any] = {**settings.SECURE_CSP, "style-src-attr": [CSP.UNSAFE_INLINE]}


@csp_override(PREVIEW_CSP)
@owner_page()
def message_wording(request: HttpRequest, practice: Practice, key: str) -> HttpResponse:
    kind = KINDS_BY_KEY.get(key)
    if kind is None:
        raise Http404("No such message")
    current = wordings(practice.pk, [kind])[kind.key]
    action = request.POST.get("action", "preview")
    if request.method == "POST" and action == "reset":
        reset_wording(practice_id=practice.pk, kind=kind)
        messages.success(request, _("Back to the default wording."))
        return redirect("staff-message-wording", practice_slug=practice.slug, key=key)
    form = WordingForm(kind, request.POST or None, initial={"subject": current.subject, "body": current.body})
    preview = None
    if request.method == "POST" and form.is_valid():
        subject, body = form.cleaned_data.get("subject", ""), form.cleaned_data["body"]
        if action == "save":
            user = request.user if request.user.is_authenticated else None
            save_wording(practice_id=practice.pk, kind=kind, subject=subject, body=body, by=user)
            messages.success(request, _("Saved. Messages created from now on use this wording."))
            return redirect("staff-message-wording", practice_slug=practice.slug, key=key)
        preview = _preview(practice, kind, subject, body)
    elif request.method != "POST":
        preview = _preview(practice, kind, current.subject, current.body)
    context = {
        "practice": practice,
        "section": "messages",
        "kind": kind,
        "label": PURPOSE_LABELS[kind.purpose],  # type: ignore[index]
        "customised": current.customised,
        "form": form,
        "preview": preview,
        "fields": sorted(kind.fields.items()),
    }
    return render(request, "web/staff/settings/message_wording.html", context, status=form_status(form))
