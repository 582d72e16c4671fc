"""Recommendation text: the Markdown subset renders, and nothing in it runs."""

from __future__ import annotations

import pytest

from allocator.markup import blocks, to_html


def test_the_subset_renders_emphasis_lists_and_links():
    html = to_html("Police and **NGOs** review *closed* cases.\n\n- one\n- two\n\n"
                   "1. first\n2. [the guide](https://example.org/guide)")
    assert "<strong>NGOs</strong>" in html and "<em>closed</em>" in html
    assert "<ul>\n<li>one</li>" in html and "<ol>\n<li>first</li>" in html
    assert '<a rel="nofollow noopener noreferrer" href="https://example.org/guide">' in html


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "[file](file:///etc/passwd)",
    "![pixel](https://tracker.example/p.png)",
    "<a href='https://x.example'>raw</a>",
    "[x](vbscript:msgbox)",
])
def test_nothing_typed_runs_or_loads(hostile):
    html = str(to_html(hostile))
    assert "<script" not in html and "<img" not in html and "onerror=\"" not in html
    assert 'href="javascript' not in html.lower() and 'href="data' not in html
    assert 'href="file' not in html and 'href="vbscript' not in html
    assert "<a href=" not in html  # every link made carries rel=noopener


def test_what_is_outside_the_subset_reads_as_typed():
    html = str(to_html("# Not a heading\n\n| a | b |\n\n    code"))
    assert "<h1>" not in html and "<table>" not in html and "<pre>" not in html
    assert "# Not a heading" in html


def test_documents_get_paragraphs_list_items_and_character_styles():
    found = blocks("Share **data** *safely*.\n\n- with NGOs\n  1. nested\n\n"
                   "See [the guide](https://example.org).")
    assert [(b.kind, b.depth) for b in found] == [
        ("paragraph", 0), ("bullet", 1), ("number", 2), ("paragraph", 0)]
    assert ("data", "Strong") in found[0].runs and ("safely", "Emphasis") in found[0].runs
    assert "".join(text for text, _ in found[3].runs) == \
        "See the guide (https://example.org)."
    assert blocks("") == [] and str(to_html(None)) == ""
