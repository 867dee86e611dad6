from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from sct_portal.periods import FinancialYear, Quarter


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in-review", "In review"
    PUBLISHED = "published", "Published"


class QuarterReportQuerySet(models.QuerySet["QuarterReport"]):
    def published(self) -> "QuarterReportQuerySet":
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user: Any) -> "QuarterReportQuerySet":
        """Published reports for everyone; drafts only for those who work on them."""
        if user.has_perm("reports.view_draft_quarterreport"):
            return self
        return self.published()

    def for_quarter(self, quarter: Quarter) -> "QuarterReportQuerySet":
        return self.filter(year_start=quarter.year.start, quarter=quarter.number)


class QuarterReport(models.Model):
    """The quarterly performance report to the council: one per financial year and quarter."""

    year_start = models.PositiveSmallIntegerField(
        "financial year", help_text="The year the financial year starts: 2022 for 2022/23."
    )
    quarter = models.PositiveSmallIntegerField(choices=[(n, f"Q{n}") for n in range(1, 5)])
    title = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    snapshot = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The report exactly as published: its page and workbook come from this.",
    )

    objects = QuarterReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year_start", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["year_start", "quarter"],
                name="one_report_per_quarter",
                violation_error_message="There is already a report for this quarter.",
            )
        ]
        permissions = [
            ("publish_quarterreport", "Can publish a quarterly report, or send it back"),
            ("view_draft_quarterreport", "Can see a quarterly report before it is published"),
        ]

    def __str__(self) -> str:
        return self.heading

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", kwargs=self.url_kwargs)

    @property
    def edit_url(self) -> str:
        return reverse("reports:edit", kwargs=self.url_kwargs)

    @property
    def workflow_url(self) -> str:
        return reverse("reports:workflow", kwargs=self.url_kwargs)

    @property
    def workbook_url(self) -> str:
        return reverse("reports:workbook", kwargs=self.url_kwargs)

    @property
    def csv_url(self) -> str:
        return reverse("reports:csv", kwargs=self.url_kwargs)

    @property
    def period(self) -> Quarter:
        return Quarter(FinancialYear(self.year_start), self.quarter)

    @property
    def url_kwargs(self) -> dict[str, str]:
        return {"year": self.period.year.slug, "quarter": self.period.slug}

    @property
    def heading(self) -> str:
        return self.title or f"{self.period.title} performance report"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class SectionKey(models.TextChoices):
    """The report's parts, in the order the report prints them."""

    WORKFORCE = "workforce", "Workforce"
    CHILDREN_IN_CARE = "children-in-care", "Children in care"
    KPIS = "kpis", "Key performance indicators"
    FINANCE = "finance", "Finances"
    CONTRACT = "contract", "Contractual matters"


class NarrativeSection(models.Model):
    """An analyst's narrative for one part of a report, in Markdown (sanitised when shown)."""

    report = models.ForeignKey(QuarterReport, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=20, choices=SectionKey.choices)
    body = models.TextField(
        blank=True, help_text="Markdown: paragraphs, **bold**, lists, links and footnotes[^1]."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="one_section_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_key_display()}"


class Action(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Narrative edited"
    SUBMITTED = "submitted", "Sent for review"
    SENT_BACK = "sent-back", "Sent back to draft"
    PUBLISHED = "published", "Published"


class ReportEvent(models.Model):
    """The report's workflow history: who did what, and when."""

    report = models.ForeignKey(QuarterReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_action_display()} by {self.by} at {self.at:%d %b %Y}"
