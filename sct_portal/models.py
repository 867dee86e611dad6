"""The organisation the portal serves: its name, kind and area, in one place an administrator
edits (Admin › Portal › Organisation), with the environment as the default."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def control_characters(text: str) -> list[str]:
    """Control characters a text holds, other than tab, newline and carriage return."""
    return sorted(
        {f"U+{ord(c):04X}" for c in text if (ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127}
    )


def refuse_control_characters(text: Any) -> None:
    """A field validator: stored text holds no control characters (a vertical tab pasted
    from Word, a NUL), which no download, and no PostgreSQL text, could carry."""
    if found := control_characters(str(text)):
        raise ValidationError(
            "This holds control characters (%(found)s), as text pasted from some programs "
            "does: remove them and type the text again.",
            code="control_characters",
            params={"found": ", ".join(found)},
        )


class Kind(models.TextChoices):
    TRUST = "trust", "Trust"
    COUNCIL = "council", "Council"
    PARTNERSHIP = "partnership", "Partnership"


class Organisation(models.Model):
    """The one organisation this portal serves (a single row)."""

    portal_name = models.CharField(
        max_length=100, help_text="The portal's name in the header, titles and exports."
    )
    name = models.CharField(
        "organisation", max_length=200, help_text="As reports name it: “Sandwell Children's Trust”."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRUST)
    area = models.CharField(
        max_length=100,
        help_text="The area as comparisons name it: “Sandwell rate per 10,000”.",
    )
    la_code = models.CharField(
        "local authority code",
        max_length=3,
        blank=True,
        help_text="The area's three-digit DfE local authority code (Sandwell: 333), for "
        "benchmarking against the published statistics. Blank: no benchmarks.",
    )
    uses_finance = models.BooleanField(
        "shows finance", default=True, help_text="The Finance pages and the report's finances."
    )
    uses_contract = models.BooleanField(
        "shows contract matters",
        default=True,
        help_text="The Contract pages and the report's contractual matters.",
    )

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisation"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None and Organisation.objects.exists():
            raise ValidationError("The portal serves one organisation: change the one there is.")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.la_code and not (len(self.la_code) == 3 and self.la_code.isdigit()):
            raise ValidationError({"la_code": "A local authority code is three digits: 333."})

    @property
    def kind_noun(self) -> str:
        """How pages name the organisation in passing: “the trust's quarterly reports”."""
        return self.get_kind_display().lower()


def from_environment() -> Organisation:
    """The organisation as the environment describes it (unsaved): the default until an
    administrator records one."""
    return Organisation(
        portal_name=settings.PORTAL_NAME,
        name=settings.PORTAL_ORGANISATION,
        kind=settings.PORTAL_ORGANISATION_KIND,
        area=settings.PORTAL_AREA,
        la_code=settings.PORTAL_LA_CODE,
    )


def current() -> Organisation:
    """The organisation the portal serves (one query)."""
    return Organisation.objects.first() or from_environment()


def of_request(request: Any) -> Organisation:
    """The organisation, read once for a request however many parts of its page name it."""
    organisation: Organisation | None = getattr(request, "_portal_organisation", None)
    if organisation is None:
        organisation = current()
        request._portal_organisation = organisation
    return organisation


class DataVersion(models.Model):
    """A number that rises with every change to what the pages show (figures, KPIs, targets,
    benchmarks, reports…), in the same transaction as the change: caches of pages are keyed
    to it, so a cached page can never show a stale figure. One row."""

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"data version {self.number}"


def bump_data_version() -> None:
    """Record that what the pages show has changed (call inside the change's transaction)."""
    if not DataVersion.objects.filter(pk=1).update(number=models.F("number") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"number": 1})


def data_version() -> int:
    """The current data version (one query)."""
    return DataVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0
