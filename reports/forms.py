from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils import timezone

from sct_portal.models import refuse_control_characters

from .models import Block, NarrativeSection, SectionTemplate
from .workflow import Conflict, digest

NARRATIVE_LIMIT = 20_000  # characters a section's narrative may hold
BASED_ON = "-based-on"  # suffix of the field carrying the fingerprint of a section's text
NOT_NARRATIVE = {"csrfmiddlewaretoken"}


class StartForm(forms.Form):
    quarter = forms.ChoiceField(
        label="Quarter",
        error_messages={"invalid_choice": "Choose a quarter from the list: %(value)s is not one."},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["quarter"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class NarrativeForm(forms.Form):
    """Each section's narrative, with the fingerprint of the text the editor started from.

    Text posted for a name that is not one of the report's sections (removed meanwhile,
    or a report without sections) is kept on the page with an error: it never goes nowhere.
    """

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, sections: Sequence[NarrativeSection]
    ) -> None:
        super().__init__(data)
        self.sections = list(sections)
        for section in self.sections:
            self.fields[section.key] = forms.CharField(
                label=section.heading,
                required=False,
                initial=section.body,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 12, "class": "govuk-textarea"}),
                max_length=NARRATIVE_LIMIT,
                validators=[refuse_control_characters],
            )
            self.fields[section.key + BASED_ON] = forms.CharField(
                required=False, initial=digest(section.body), widget=forms.HiddenInput
            )
        self.nowhere: list[str] = []
        for name in data or {}:
            if name in self.fields or name in NOT_NARRATIVE or name.endswith(BASED_ON):
                continue
            if str((data or {}).get(name, "")).strip():
                self.fields[name] = forms.CharField(
                    label=f"Text for “{name}”",
                    required=False,
                    strip=False,
                    widget=forms.Textarea(attrs={"rows": 12, "class": "govuk-textarea"}),
                )
                self.nowhere.append(name)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.nowhere:
            self.add_error(
                name,
                f"This text has nowhere to go: the report has no section “{name}” (it may "
                "have been removed). Copy it into a section below, or add a section for it "
                "and paste it there.",
            )
        return cleaned

    def bodies(self) -> dict[str, str]:
        """The typed text of each section posted (a section not posted is left alone)."""
        return {
            s.key: self.cleaned_data[s.key]
            for s in self.sections
            if self.data.get(s.key) is not None
        }

    def based_on(self) -> dict[str, str]:
        return {
            s.key: self.cleaned_data[s.key + BASED_ON]
            for s in self.sections
            if self.cleaned_data.get(s.key + BASED_ON)
        }

    def refused(
        self, *, conflicts: Sequence[Conflict], sections: Sequence[NarrativeSection]
    ) -> None:
        """Show a refused save again: each conflict with both texts (the next save, made
        knowing theirs, stands), and sections left untouched brought up to date."""
        data = self.data.copy()  # type: ignore[attr-defined]
        clashing = {conflict.key: conflict for conflict in conflicts}
        for section in sections:
            if section.key in clashing:
                conflict = clashing[section.key]
                data[section.key + BASED_ON] = digest(conflict.theirs)
                when = timezone.localtime(conflict.at)
                self.add_error(
                    section.key,
                    f"{conflict.by} changed “{conflict.heading}” at {when:%H:%M} on "
                    f"{when:%-d %B} while you were editing. Their text is shown below; yours "
                    "is still in the box. Bring the two together and save again.",
                )
            elif digest(str(data.get(section.key, ""))) == data.get(section.key + BASED_ON):
                data[section.key] = section.body
                data[section.key + BASED_ON] = digest(section.body)
        self.data = data


class SendBackForm(forms.Form):
    note = forms.CharField(
        label="What needs to change before it is published",
        widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
        max_length=5_000,
        error_messages={
            "required": "Say what needs to change before the report is sent back.",
        },
    )


class SectionHeadingForm(forms.Form):
    heading = forms.CharField(
        label="Heading",
        max_length=100,
        validators=[refuse_control_characters],
        error_messages={"required": "Give the section a heading."},
    )


class SectionTemplateForm(forms.ModelForm[SectionTemplate]):
    blocks = forms.MultipleChoiceField(
        label="Tables and charts",
        choices=Block.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the section holds besides its narrative. Headline figures come before "
        "the narrative, the others after it. Finance and contract matters show only where the "
        "organisation uses them.",
    )

    class Meta:
        model = SectionTemplate
        fields = ["heading", "key", "order", "blocks"]
