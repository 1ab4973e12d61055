from django import forms
from django.utils.html import format_html

from domains import blueprint
from domains.models import Domain, TaskStatement

from .models import Profile


class IdChoicesField(forms.ModelMultipleChoiceField):
    """Refuses ids no database row can have before looking them up: SQLite raises on integers
    beyond 64 bits, where PostgreSQL finds nothing."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class PracticeForm(forms.Form):
    domains = IdChoicesField(
        queryset=Domain.objects.order_by("number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty for all domains.",
    )
    tasks = IdChoicesField(
        queryset=TaskStatement.objects.order_by("number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Task statements",
    )
    count = forms.IntegerField(
        min_value=5, max_value=blueprint.QUESTIONS_PER_EXAM, initial=20, label="Number of questions"
    )
    sources = forms.MultipleChoiceField(
        choices=[(s, s) for s in ("unused", "incorrect", "flagged", "all")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Draw from",
        help_text="Any union; leave empty for all questions.",
    )
    timed = forms.BooleanField(
        required=False,
        label="Timed block: 2.4 minutes a question with the mock's clock, no feedback until the "
        "end (untimed tutor mode shows feedback after each answer)",
    )

    def __init__(self, *args, counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .blocks import SOURCE_LABELS

        counts = counts or {}
        # The count sits in its own element so practice.js can update it as the scope changes.
        self.fields["sources"].choices = [
            (
                s,
                format_html(
                    '{} — <span data-source-count="{}">{}</span> available', label, s, counts[s]
                )
                if s in counts
                else label,
            )
            for s, label in SOURCE_LABELS.items()
        ]


def _zone_choices():
    import zoneinfo

    return [("", "Detect from my browser")] + [
        (z, z) for z in sorted(zoneinfo.available_timezones())
    ]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=_zone_choices, required=False, label="Time zone for the times shown"
    )

    class Meta:
        model = Profile
        fields = ["extra_time", "hide_timer", "time_zone"]
        labels = {
            "extra_time": "Extra time: +30 minutes on mocks (the accommodation AWS grants to "
            "candidates taking the exam in a language that is not their native one)",
            "hide_timer": "Hide the countdown by default (you can show it any time)",
        }


class GroupForm(forms.Form):
    name = forms.CharField(max_length=80, label="Group name")


class JoinGroupForm(forms.Form):
    code = forms.CharField(max_length=12, label="Join code")
