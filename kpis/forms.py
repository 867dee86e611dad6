"""The kpis app's forms: targets (the admin's target form, and the rule as typed so far for its
preview) and importing published statistics."""

import datetime as dt
from typing import Any

from django import forms

from sct_portal import periods

from . import published
from .models import BenchmarkMapping, Frequency, Kpi, Target
from .polarity import Polarity
from .units import Unit

RULE_FIELDS = [
    "comparison",
    "basis",
    "value",
    "upper",
    "comparator",
    "statistic",
    "baseline_month",
    "amber",
    "amber_value",
]
TARGET_FIELDS = [*RULE_FIELDS, "valid_from", "valid_to", "source", "source_detail"]


class TargetForm(forms.ModelForm[Target]):
    class Meta:
        model = Target
        fields = TARGET_FIELDS


class PreviewKpiForm(forms.Form):
    """The KPI a previewed rule belongs to: a saved one by id, or the unit, decimals and
    polarity typed on the KPI's own page (which may not be saved yet)."""

    kpi = forms.ModelChoiceField(Kpi.objects.all(), required=False)
    ref = forms.CharField(required=False)
    unit = forms.ChoiceField(choices=Unit.choices, required=False)
    decimals = forms.IntegerField(min_value=0, max_value=4, required=False)
    polarity = forms.ChoiceField(choices=Polarity.choices, required=False)
    frequency = forms.ChoiceField(choices=Frequency.choices, required=False)

    def preview_kpi(self) -> Kpi:
        """An unsaved KPI with the values the rule is checked and written with."""
        data = self.cleaned_data
        saved: Kpi | None = data.get("kpi")
        if saved is not None:
            return Kpi(
                ref=saved.ref,
                unit=saved.unit,
                decimals=saved.decimals,
                polarity=saved.polarity,
                frequency=saved.frequency,
            )
        return Kpi(
            ref=data.get("ref") or "(new)",
            unit=data.get("unit") or Unit.COUNT,
            decimals=data["decimals"] if data.get("decimals") is not None else 1,
            polarity=data.get("polarity") or Polarity.HIGHER,
            frequency=data.get("frequency") or Frequency.MONTHLY,
        )


class RulePreviewForm(forms.ModelForm[Target]):
    """A target's rule as typed so far, checked as saving would check it (all but the
    overlap with other targets) for the sentence shown before saving."""

    class Meta:
        model = Target
        fields = [*RULE_FIELDS, "valid_from"]

    def __init__(self, data: Any, *, kpi: Kpi) -> None:
        super().__init__(data, instance=Target(kpi=kpi))
        self.fields["valid_from"].required = False

    def problems(self) -> list[str]:
        return [str(message) for messages in self.errors.values() for message in messages]


class PublishedUploadForm(forms.Form):
    """Upload a published file for a preview: nothing is written yet."""

    file = forms.FileField(
        label="Published file",
        help_text="A CSV file from Explore Education Statistics, one of DfE's statistical-"
        "neighbour files (CSV), or Ofsted's inspection outcomes (.ods), as published.",
    )
    mapping = forms.ModelChoiceField(
        label="Benchmark mapping",
        queryset=BenchmarkMapping.objects.select_related("kpi").order_by("name"),
        required=False,
        empty_label="Every mapping that names the file",
        help_text="For a CSV of statistics: read it with this mapping only (a newer release "
        "is still read with every mapping the older one served).",
    )
    label = forms.CharField(
        label="Release",
        max_length=300,
        required=False,
        help_text="How the release is cited: “Children looked after in England including "
        "adoptions, reporting year 2025”. Ofsted's file gives its own.",
    )
    published_on = forms.DateField(
        label="Publication date",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="For example 2025-11-20. A release dated before the one in force is refused.",
    )
    in_force_from = forms.CharField(
        label="Neighbours in force from",
        required=False,
        max_length=10,
        help_text="For a statistical-neighbour file: the first month compared with its "
        "neighbours, for example 2025-04. Blank: from the file's name.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            form_field.widget.attrs["aria-describedby"] = f"id_{name}-help"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > published.MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {published.MAX_BYTES // 1024 // 1024} MB."
            )
        return upload

    def clean_in_force_from(self) -> dt.date | None:
        text = self.cleaned_data.get("in_force_from", "").strip()
        if not text:
            return None
        try:
            return periods.parse_month(text)
        except ValueError:
            raise forms.ValidationError(
                f"“{text}” is not a month: write one such as 2025-04."
            ) from None


class ApproveChangePointForm(forms.Form):
    """A person approves a proposed change point on the KPI's page, saying why (kept in the
    chart's history): the limits are then recalculated from its month."""

    month = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
    why = forms.CharField(widget=forms.HiddenInput, max_length=2000)
    reason = forms.CharField(
        label="Why is this a lasting change?",
        help_text="For example: “new definition from April 2023”. It is kept in the chart's "
        "history.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
        error_messages={"required": "Say why you approve this change point; it is kept."},
    )
