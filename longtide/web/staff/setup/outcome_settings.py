"""The owner's outcome settings (/staff/<practice>/settings/outcomes/): the crisis protocol that
lets the practice offer the PHQ-9 (measurement/crisis.py), the emergency number and crisis line
clients are shown (the intake's too), and after how many days without a visit an episode counts
as closed. Owners only (PRACTICE_CONFIGURE); each save audited (measurement.actions.update_settings)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longtide.intake.actions import intake_settings
from longtide.measurement import actions
from longtide.practice.access import acting, role_in
from longtide.practice.models import Practice
from longtide.web.bad_input import form_status
from longtide.web.staff.setup.guard import owner_page

INACTIVITY_MIN, INACTIVITY_MAX = 30, 730


class OutcomeSettingsForm(forms.Form):
    crisis_protocol = forms.BooleanField(
        label=gettext_lazy("Crisis protocol: offer the PHQ-9"),
        required=False,
        help_text=gettext_lazy(
            "The PHQ-9's last question asks about thoughts of self-harm. Switch this on only when your practice "
            "has a crisis protocol: a positive answer shows the client the numbers below at once, raises an "
            "EMERGENCY flag on their intake (their visits are held until a practitioner records what was done) "
            "and emails their practitioner. Otherwise the PHQ-4 screens for low mood and anxiety."
        ),
    )
    emergency_number = forms.CharField(
        label=gettext_lazy("Emergency number"),
        max_length=40,
        help_text=gettext_lazy("The local emergency number clients are told to call (also in the intake)."),
    )
    crisis_line = forms.CharField(
        label=gettext_lazy("Crisis line"),
        max_length=200,
        help_text=gettext_lazy("Where someone with thoughts of self-harm can talk to someone today."),
    )
    inactivity_days = forms.IntegerField(
        label=gettext_lazy("Days without a visit before an episode counts as closed"),
        min_value=INACTIVITY_MIN,
        max_value=INACTIVITY_MAX,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("crisis_protocol") and not (data.get("emergency_number") and data.get("crisis_line")):
            raise forms.ValidationError(
                _("The crisis protocol needs the emergency number and the crisis line clients are shown.")
            )
        return data


@owner_page()
def outcome_settings(request: HttpRequest, practice: Practice) -> HttpResponse:
    current = actions.settings_of(practice)
    numbers = intake_settings(practice)
    initial = {
        "crisis_protocol": current.crisis_protocol,
        "emergency_number": numbers.emergency_number,
        "crisis_line": numbers.crisis_line,
        "inactivity_days": current.inactivity_days,
    }
    form = OutcomeSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_settings(
                practice=practice,
                crisis_protocol=bool(data["crisis_protocol"]),
                inactivity_days=int(data["inactivity_days"]),
                emergency_number=str(data["emergency_number"]),
                crisis_line=str(data["crisis_line"]),
                by=acting(request, role_in(request.user, practice)),
                now=timezone.now(),
            )
        except actions.Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Saved the outcome settings."))
            return redirect("settings-outcomes", practice_slug=practice.slug)
    return render(
        request,
        "web/staff/settings/outcomes.html",
        {"practice": practice, "form": form, "section": "outcomes"},
        status=form_status(form),
    )
