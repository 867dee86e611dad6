"""Admin inlines that screen readers can fill in."""

from typing import Any

from django.contrib import admin
from django.forms import BaseForm


class LabelledTabularInline(admin.TabularInline):  # type: ignore[type-arg]
    """A tabular inline whose inputs carry their column's name and row (aria-label).

    The admin's tabular inline shows each field's label once, as a column heading, which
    does not label the inputs below it (WCAG 2.2, 1.3.1 and 4.1.2).
    """

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        noun = str(self.model._meta.verbose_name)

        class Labelled(formset):  # type: ignore[valid-type,misc]
            def add_fields(self, form: BaseForm, index: int | None) -> None:
                super().add_fields(form, index)
                row = f"{noun} {index + 1}" if index is not None else f"new {noun}"
                for name, field in form.fields.items():
                    label = "Delete" if name == "DELETE" else str(field.label or name)
                    field.widget.attrs["aria-label"] = f"{label} ({row})"

        return Labelled
