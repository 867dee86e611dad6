"""Forms for targets: the admin's target form, and the rule as typed so far for its preview."""

from typing import Any

from django import forms

from .models import Frequency, Kpi, Target
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
