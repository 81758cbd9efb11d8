"""How a client wants reminders (email, text, none) and whether they agreed to texts: staff record it
when the client tells them. Every member of staff may (contact preferences, nothing clinical)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from longtide.clients.models import Client, ReminderChannel
from longtide.clients.reminder_preferences import PreferenceRefused, set_reminder_preference
from longtide.notifications.models import SmsOptOut
from longtide.notifications.phone import e164
from longtide.practice.access import Perm, member_required
from longtide.practice.models import Practice
from longtide.web.bad_input import form_status


class ReminderPreferenceForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("Reminders"), choices=ReminderChannel.choices, widget=forms.RadioSelect
    )
    sms_consent = forms.BooleanField(
        label=gettext_lazy("The client agreed to receive text messages from the practice"),
        required=False,
        help_text=gettext_lazy("Untick if they take it back. Replying STOP to a text also stops them."),
    )


def _region(practice: Practice) -> str:
    location = practice.locations.first()
    return (location.country if location else "") or "US"


@never_cache
@member_required(Perm.CLIENT_REMINDERS_EDIT)
def reminders(request: HttpRequest, practice: Practice, pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.for_practice(practice), pk=pk)
    region = _region(practice)
    # A phone-only client left on the default "email" gets no reminders: the form shows that truth.
    unusable = client.reminder_channel == ReminderChannel.EMAIL and not client.email
    channel = ReminderChannel.NONE if unusable else client.reminder_channel
    initial = {"channel": channel, "sms_consent": client.sms_consent_at is not None}
    form = ReminderPreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_reminder_preference(
                client=client,
                channel=ReminderChannel(form.cleaned_data["channel"]),
                sms_consent=form.cleaned_data["sms_consent"],
                region=region,
                now=timezone.now(),
            )
        except PreferenceRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("Saved how %(name)s gets reminders.") % {"name": client.full_name})
            return redirect("staff-client-reminders", practice_slug=practice.slug, pk=client.pk)
    number = e164(client.phone, region)
    context = {
        "practice": practice,
        "client": client,
        "form": form,
        "number": number,
        "opted_out": bool(number) and SmsOptOut.objects.filter(number=number).exists(),
    }
    return render(request, "web/staff/client_reminders.html", context, status=form_status(form))
