"""The contracts page's tables (django-tables2, GOV.UK markup from contracts/table.html)."""

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .deadlines import Timing
from .summary import ActionItem, InspectionItem, KpiLink, MilestoneItem, SubJudgementItem

CELL = {
    "th": {"class": "govuk-table__header"},
    "td": {"class": "govuk-table__cell"},
    "tf": {"class": "govuk-table__header"},
}
# The tag repeats in colour what its word says; the word is always there.
TAG_CLASSES = {
    Timing.OVERDUE: "govuk-tag--red",
    Timing.DUE: "govuk-tag--orange",
    Timing.UPCOMING: "govuk-tag--blue",
    Timing.UNDATED: "govuk-tag--grey",
    Timing.DONE: "govuk-tag--green",
}


def timing_tag(timing: Timing) -> SafeString:
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>', TAG_CLASSES[timing], timing.label
    )


class Column(tables.Column):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", CELL)
        super().__init__(*args, **kwargs)


class PortalTable(tables.Table):  # type: ignore[misc]
    """A GOV.UK table with a caption; the first column is each row's header."""

    def __init__(self, data: Any, *, caption: str, caption_id: str, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.caption = caption
        self.caption_id = caption_id

    class Meta:
        template_name = "contracts/table.html"
        orderable = False


class MilestoneTable(PortalTable):
    title = Column("Milestone")
    kind = Column("Kind")
    when = Column("Due")
    timing = Column("Standing", empty_values=())
    status = Column("Status")
    outcome = Column("Outcome and notes", empty_values=())

    class Meta(PortalTable.Meta):
        empty_text = "None."

    def __init__(self, data: list[MilestoneItem], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)

    def render_timing(self, value: Timing) -> SafeString:
        return timing_tag(value)

    def render_outcome(self, record: MilestoneItem) -> SafeString:
        parts = [
            ("Outcome", record.outcome),
            ("Note", record.note),
        ]
        shown = [(label, text) for label, text in parts if text]
        if not shown:
            return format_html("{}", "–")
        return format_html_join(
            "", '<p class="govuk-body-s">{}: {}</p>', ((label, text) for label, text in shown)
        )


class InspectionTable(PortalTable):
    title = Column("Inspection", empty_values=())
    published = Column("Report published")
    overall_judgement = Column("Overall judgement", default="not yet given")
    sub_judgements = Column("Sub-judgements", empty_values=())

    class Meta(PortalTable.Meta):
        empty_text = "No inspections are recorded."

    def __init__(self, data: list[InspectionItem], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)

    def render_title(self, record: InspectionItem) -> SafeString:
        if record.report_url:
            return format_html(
                '<a class="govuk-link" href="{}">{}</a>', record.report_url, record.title
            )
        return format_html("{}", record.title)

    def render_overall_judgement(self, value: str) -> SafeString:
        return format_html("<strong>{}</strong>", value)

    def render_sub_judgements(self, value: tuple[SubJudgementItem, ...]) -> SafeString:
        if not value:
            return format_html("{}", "none recorded")
        items = format_html_join("", "<li>{}: {}</li>", ((s.area, s.judgement) for s in value))
        return format_html('<ul class="govuk-list">{}</ul>', items)


class ActionTable(PortalTable):
    description = Column("Action")
    plan = Column("Action plan")
    owner = Column("Owner")
    due = Column("Due")
    timing = Column("Standing", empty_values=())
    status = Column("Status")
    kpis = Column("Linked KPIs", empty_values=())

    class Meta(PortalTable.Meta):
        empty_text = "No open actions."

    def __init__(self, data: list[ActionItem], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)

    def render_timing(self, value: Timing) -> SafeString:
        return timing_tag(value)

    def render_kpis(self, value: tuple[KpiLink, ...]) -> SafeString:
        if not value:
            return format_html("{}", "none")
        links = format_html_join(
            "",
            '<li><a class="govuk-link" href="{}">KPI {}</a>: {}</li>',
            ((k.url, k.ref, k.description) for k in value),
        )
        return format_html('<ul class="govuk-list">{}</ul>', links)
