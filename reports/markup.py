"""Analysts' Markdown to safe HTML: Markdown renders, nh3 keeps only harmless markup."""

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "a", "sup",
    "h3", "h4", "hr", "div", "table", "thead", "tbody", "tr", "th", "td", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "sup": {"id"},
    "li": {"id"},
    "div": {"class"},
    "abbr": {"title"},
    "th": {"scope"},
}


def render_markdown(text: str, *, id_prefix: str = "") -> str:
    """Sanitised HTML for a narrative section. Raw HTML, scripts and styles never survive.

    `id_prefix` keeps footnote ids unique when several sections share a page.
    """
    rendered = markdown.markdown(
        text,
        extensions=["footnotes", "tables", "sane_lists"],
        extension_configs={"footnotes": {"BACKLINK_TEXT": "↩", "SEPARATOR": "-"}},
        output_format="html",
    )
    if id_prefix:
        rendered = re.sub(r'(id="|href="#)(fn(?:ref)?-)', rf"\1{id_prefix}-\2", rendered)
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
