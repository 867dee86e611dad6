from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from .forms import SectionTemplateForm
from .models import Block, NarrativeSection, QuarterReport, ReportEvent, SectionTemplate


def _blocks(blocks: list[str]) -> str:
    return ", ".join(Block(b).label for b in blocks if b in Block.values) or "narrative only"


class ViewOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SectionInline(ViewOnlyInline):
    model = NarrativeSection
    fields = ("heading", "tables_and_charts", "body", "updated_at", "updated_by")
    readonly_fields = fields
    verbose_name_plural = "Sections (edited on the report's own pages)"

    @admin.display(description="Tables and charts")
    def tables_and_charts(self, section: NarrativeSection) -> str:
        return _blocks(section.blocks)


class EventInline(ViewOnlyInline):
    model = ReportEvent
    fields = ("at", "action", "by", "note")
    readonly_fields = fields
    verbose_name_plural = "History"


@admin.register(QuarterReport)
class QuarterReportAdmin(admin.ModelAdmin[QuarterReport]):
    """Listed and read here only: a report is started, written, sent, sent back and published
    on the portal's report pages, where every change is kept in its history."""

    list_display = ["heading", "status", "published_at", "published_by", "updated_at"]
    list_filter = ["status", "year_start"]
    fields = ("on_the_portal", "year_start", "quarter", "title", "status", "published_at")
    readonly_fields = fields
    inlines = [SectionInline, EventInline]

    @admin.display(description="On the portal")
    def on_the_portal(self, report: QuarterReport) -> str:
        return format_html(
            '<a href="{}">Open the report</a>: start, write and publish reports there.',
            report.get_absolute_url(),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SectionTemplate)
class SectionTemplateAdmin(admin.ModelAdmin[SectionTemplate]):
    """The organisation's report: the sections each new report starts with. A report
    already started keeps its own sections."""

    form = SectionTemplateForm
    list_display = ["heading", "order", "tables_and_charts"]
    ordering = ["order", "pk"]

    @admin.display(description="Tables and charts")
    def tables_and_charts(self, template: SectionTemplate) -> str:
        return _blocks(template.blocks)
