from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

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
    def sections_url(self) -> str:
        return reverse("reports:sections", kwargs=self.url_kwargs)

    @property
    def publish_url(self) -> str:
        return reverse("reports:publish", kwargs=self.url_kwargs)

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

    def standing_send_back(self) -> "ReportEvent | None":
        """The manager's send-back, whose note stands until the report is sent again."""
        if self.status != Status.DRAFT:
            return None
        last = (
            self.events.filter(action__in=[Action.SUBMITTED, Action.SENT_BACK])
            .select_related("by")
            .order_by("-at", "-id")
            .first()
        )
        return last if last is not None and last.action == Action.SENT_BACK else None


class Block(models.TextChoices):
    """The tables and charts a report section can hold besides its narrative, in the order a
    section prints them: headline figures lead the section, the rest follow its narrative."""

    HEADLINES = "headlines", "Headline figures"
    BENCHMARK = "benchmark", "Statistical-neighbour table"
    HEADLINE_CHARTS = "headline-charts", "Charts of the headline figures"
    KPI_TABLE = "kpi-table", "KPI table"
    FINANCE = "finance", "Finance"
    CONTRACT = "contract", "Contract matters"


class SectionTemplate(models.Model):
    """A section of the organisation's own report: every report starts with these, in this
    order, and then owns its sections (analysts add, rename, reorder and remove them)."""

    heading = models.CharField(max_length=100, unique=True)
    key = models.SlugField(
        max_length=50,
        unique=True,
        blank=True,
        help_text="The section's name in the report's address (#section-workforce); "
        "made from the heading when blank.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    blocks = models.JSONField(
        "tables and charts",
        default=list,
        blank=True,
        help_text="What the section holds besides its narrative.",
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "report section"
        verbose_name_plural = "report sections (the organisation's report)"

    def __str__(self) -> str:
        return self.heading

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.key:
            self.key = slugify(self.heading)[:50] or "section"
        super().save(*args, **kwargs)


class NarrativeSection(models.Model):
    """One section of a report: its heading, place, tables and charts, and an analyst's
    narrative in Markdown (sanitised when shown)."""

    report = models.ForeignKey(QuarterReport, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=50)
    heading = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    blocks = models.JSONField("tables and charts", default=list, blank=True)
    body = models.TextField(
        blank=True, help_text="Markdown: paragraphs, **bold**, lists, links and footnotes[^1]."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="one_section_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.heading}"

    @property
    def holds_tables(self) -> bool:
        return bool(self.blocks)


class Action(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Narrative edited"
    SUBMITTED = "submitted", "Sent for review"
    SENT_BACK = "sent-back", "Sent back to draft"
    PUBLISHED = "published", "Published"
    SECTION_ADDED = "section-added", "Section added"
    SECTION_RENAMED = "section-renamed", "Section renamed"
    SECTION_MOVED = "section-moved", "Section moved"
    SECTION_REMOVED = "section-removed", "Section removed"


class ReportEvent(models.Model):
    """The report's history: every change to its status, sections and narrative, with who
    and when (a narrative change keeps each section's text before and after)."""

    report = models.ForeignKey(QuarterReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    changes = models.JSONField(
        default=list,
        blank=True,
        help_text="For a narrative edit: each section changed, with its text before and after.",
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_action_display()} by {self.by} at {self.at:%d %b %Y}"
