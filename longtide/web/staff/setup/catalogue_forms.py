"""Input shapes for services and practitioners."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from longtide.lib.bounds import parse_id
from longtide.practice.models import (
    MAX_BUFFER_MINUTES,
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    Practice,
    Practitioner,
    Room,
    Service,
    StaffMembership,
    joined,
)
from longtide.practice.photos import prepare_photo
from longtide.practice.staff import check_may_stop_supervising
from longtide.web.bad_input import bound_text
from longtide.web.staff.setup.practice_forms import still_free


class MemberChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else obj.get_username()


class BoundedMultipleChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Ids checked against lib/bounds.py before any query: a 20-digit id overflows SQLite's integer
    (a 500), and PostgreSQL refuses it. A bad one gets Django's own message for a bad id."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else []:
            text = str(pk)
            if "\x00" not in text and parse_id(text) is None:  # a NUL gets the field's own message
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super().clean(value)


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=MIN_SESSION_MINUTES,
        max_value=MAX_SESSION_MINUTES,
        error_messages={
            "min_value": _("A session lasts at least 5 minutes."),
            "max_value": _("A session lasts at most 720 minutes (12 hours)."),
            "invalid": _("Enter the length in whole minutes, e.g. 60."),
            "required": _("Say how long a session lasts, in minutes."),
        },
    )
    price = forms.DecimalField(
        label=_("Price"),
        min_value=Decimal("0"),
        max_value=Decimal("999999.99"),
        max_digits=8,
        decimal_places=2,
        error_messages={
            "min_value": _("The price cannot be negative; use 0 for free."),
            "max_value": _("The price is too large (at most 999999.99)."),
            "max_decimal_places": _("Use at most two decimal places, e.g. 95.50."),
            "max_digits": _("The price is too large (at most 999999.99)."),
            "invalid": _("Enter the price as a number, e.g. 95 or 95.50."),
            "required": _("Enter the price (0 for free)."),
        },
    )
    buffer_before_minutes = forms.IntegerField(
        label=_("Preparation before (minutes)"),
        min_value=0,
        max_value=MAX_BUFFER_MINUTES,
        initial=0,
        error_messages={
            "min_value": _("A buffer cannot be negative."),
            "max_value": _("A buffer is at most 240 minutes."),
            "invalid": _("Enter whole minutes, e.g. 10."),
        },
    )
    buffer_after_minutes = forms.IntegerField(
        label=_("Turnover after (minutes)"),
        min_value=0,
        max_value=MAX_BUFFER_MINUTES,
        initial=0,
        error_messages={
            "min_value": _("A buffer cannot be negative."),
            "max_value": _("A buffer is at most 240 minutes."),
            "invalid": _("Enter whole minutes, e.g. 15."),
        },
    )
    practitioners = BoundedMultipleChoice(
        label=_("Who offers it"),
        queryset=Practitioner.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only they are offered for it online."),
    )
    rooms = BoundedMultipleChoice(
        label=_("Rooms that can host it"),
        queryset=Room.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose none to allow any room."),
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "duration_minutes",
            "price",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "practitioners",
            "rooms",
            "is_first_visit",
            "active",
        ]
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "is_first_visit": _("First visit (new clients start here)"),
            "active": _("Shown on the site and bookable"),
        }
        help_texts = {
            "description": _("What happens in it, in plain words. Never promise that CST treats or cures."),
            "active": _("Untick to hide it; existing appointments stay."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, practice: Practice, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_text(self.fields, {"description": 2000})
        self.instance.practice = practice
        self.fields["practitioners"].queryset = practice.practitioners.all()  # type: ignore[attr-defined]
        self.fields["rooms"].queryset = Room.objects.filter(location__practice=practice).select_related("location")  # type: ignore[attr-defined]
        self.fields["name"].error_messages["required"] = _("Give the service a name.")

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError(_("Give the service a name."))
        clash = self.name_clash(name)
        if clash:
            raise forms.ValidationError(clash)
        return name

    def name_clash(self, name: str) -> str | None:
        same = Service.objects.filter(practice=self.instance.practice, name__iexact=name).exclude(pk=self.instance.pk)
        return _("There is already a service called %(name)s.") % {"name": name} if same.exists() else None

    def name_still_free(self) -> bool:
        """The name check again, under the practice's lock (practice_forms.lock_practice)."""
        return still_free(self, "name", self.name_clash)


class PractitionerForm(forms.ModelForm):  # type: ignore[type-arg]
    photo_upload = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF, at most 10 MB. We resize it and remove its metadata (such as location)."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the current photo"), required=False)
    services = BoundedMultipleChoice(
        label=_("Services they offer"),
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    user = MemberChoice(
        label=_("Their staff login"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No login linked"),
        help_text=_("Links the calendar's “my day” to them. Invite them under Staff first."),
    )

    class Meta:
        model = Practitioner
        fields = ["display_name", "credentials", "style", "training", "bio", "user", "active"]
        labels = {
            "display_name": _("Name shown to clients"),
            "credentials": _("Credentials"),
            "style": _("Style"),
            "training": _("Training"),
            "bio": _("About them"),
            "active": _("Taking bookings (shown on the site)"),
        }
        help_texts = {"credentials": _("e.g. LMT, CST-D, RCST.")}
        widgets = {"training": forms.Textarea(attrs={"rows": 3}), "bio": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, practice: Practice, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_text(self.fields, {"training": 2000, "bio": 5000})
        self.instance.practice = practice
        self.fields["services"].queryset = practice.services.all()  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["services"].initial = list(self.instance.services.values_list("pk", flat=True))
        # Members of this practice who are nobody else's practitioner (a login is one practitioner)
        # and who have joined (can sign in): an invited new address is a membership, an invited
        # existing login an invitation, and offering only the first would tell the owner which
        # addresses had no login. A profile already linked keeps its login in the list.
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(memberships__practice=practice)
            .filter(Q(practitioner__isnull=True) | Q(practitioner=self.instance.pk or 0))
            .filter(joined() | Q(practitioner=self.instance.pk or 0))
            .order_by("first_name", "username")
        )
        self.fields["display_name"].error_messages["required"] = _("Give the name clients will see.")
        self.fields["style"].error_messages["required"] = _("Choose the style they work in.")
        self.prepared_photo: ContentFile[bytes] | None = None

    def clean_display_name(self) -> str:
        name = str(self.cleaned_data["display_name"]).strip()
        clash = self.name_clash(name)
        if clash:
            raise forms.ValidationError(clash)
        return name

    def name_clash(self, name: str) -> str | None:
        same = Practitioner.objects.filter(practice=self.instance.practice, display_name__iexact=name)
        if same.exclude(pk=self.instance.pk).exists():
            return _("There is already a practitioner called %(name)s.") % {"name": name}
        return None

    def name_still_free(self) -> bool:
        """The name check again, under the practice's lock (practice_forms.lock_practice)."""
        return still_free(self, "display_name", self.name_clash)

    def clean_user(self) -> User | None:
        """Refuse to unlink (or relink) a supervisor's profile from their login: their students' notes
        would wait for a co-signature nobody may give (check_may_stop_supervising's message)."""
        user: User | None = self.cleaned_data.get("user")
        linked = self.instance.user_id if self.instance.pk else None
        if linked is not None and (user is None or user.pk != linked):
            membership = StaffMembership.objects.filter(practice=self.instance.practice, user_id=linked).first()
            if membership is not None:
                check_may_stop_supervising(self.instance.practice, membership, None)
        return user

    def clean_photo_upload(self) -> Any:
        upload = self.cleaned_data.get("photo_upload")
        if upload:
            self.prepared_photo = prepare_photo(upload)
        return upload
