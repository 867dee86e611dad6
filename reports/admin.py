from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import NarrativeSection, QuarterReport, ReportEvent


class EventInline(admin.TabularInline[ReportEvent, QuarterReport]):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "by", "note")
    readonly_fields = ("at", "action", "by", "note")
    verbose_name_plural = "Workflow history"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QuarterReport)
class QuarterReportAdmin(admin.ModelAdmin[QuarterReport]):
    """Reports are drafted and published on the portal's report pages; here they are listed."""

    list_display = ["heading", "status", "published_at", "published_by", "updated_at"]
    list_filter = ["status", "year_start"]
    readonly_fields = ["status", "published_at", "published_by"]
    inlines = [EventInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NarrativeSection)
class NarrativeSectionAdmin(admin.ModelAdmin[NarrativeSection]):
    list_display = ["report", "key", "updated_at", "updated_by"]
    list_filter = ["key"]
    readonly_fields = ["updated_by"]
