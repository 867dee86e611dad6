from reports.markup import render_markdown


def test_markdown_renders_paragraphs_emphasis_and_footnotes():
    html = render_markdown("Agencies.[^1]\n\n**Bold**\n\n[^1]: ADCS, 7th July 2022", id_prefix="w")
    assert "<strong>Bold</strong>" in html
    assert 'href="#w-fn-1"' in html
    assert 'id="w-fn-1"' in html
    assert "ADCS, 7th July 2022" in html


def test_scripts_styles_handlers_and_javascript_links_never_survive():
    html = render_markdown(
        "<script>alert(1)</script><style>p{}</style>[x](javascript:alert(2)) "
        '<img src=x onerror="alert(3)"> <p style="color:red" onclick="alert(4)">hi</p>'
    )
    for danger in ("<script", "alert(", "<style", "javascript:", "onerror", "onclick", "style="):
        assert danger not in html
