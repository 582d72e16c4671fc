"""Recommendation text: a small Markdown subset, rendered safely for pages, PDF and DOCX.

The subset is what a working group writes on a flip-chart: paragraphs and line breaks,
*emphasis* and **strong**, bullet and numbered lists, and links to http(s) or mailto
addresses. Raw HTML is shown as text, never run; other Markdown (headings, images, tables,
code blocks) reads as the characters typed. Parsing is markdown-it-py's (CommonMark).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

SAFE_SCHEMES = ("http://", "https://", "mailto:")
RULES = ["emphasis", "list", "link", "escape", "newline"]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False,
                                 "typographer": False}).enable(RULES)
    parser.validateLink = lambda url: url.strip().lower().startswith(SAFE_SCHEMES)
    return parser


def to_html(text: str | None) -> Markup:
    """``text`` (the Markdown subset) as HTML safe to put into a page: raw HTML escaped,
    links only to http(s) and mailto, opened without passing the page (rel=noopener)."""
    if not text:
        return Markup("")
    html = _parser().render(text)
    return Markup(html.replace("<a href=", '<a rel="nofollow noopener noreferrer" href='))


@dataclass
class Block:
    """One paragraph of the text: ``kind`` is "paragraph", "bullet" or "number" (a list
    item), ``depth`` its list nesting (1 = top), ``runs`` (text, "Strong" | "Emphasis" |
    None) pairs whose second item names a character style."""

    kind: str
    depth: int = 0
    runs: list[tuple[str, str | None]] = field(default_factory=list)


def blocks(text: str | None) -> list[Block]:
    """``text`` as paragraphs and list items with styled runs, for documents that are not
    HTML (DOCX); a link reads "label (address)"."""
    if not text:
        return []
    out: list[Block] = []
    lists: list[str] = []
    for token in _parser().parse(text):
        if token.type == "bullet_list_open":
            lists.append("bullet")
        elif token.type == "ordered_list_open":
            lists.append("number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "inline":
            kind = lists[-1] if lists else "paragraph"
            out.append(Block(kind, len(lists), _runs(token.children or [])))
    return out


def _runs(children: list) -> list[tuple[str, str | None]]:  # noqa: ANN001
    runs: list[tuple[str, str | None]] = []
    styles: list[str] = []
    href: list[str] = []
    for child in children:
        if child.type in ("strong_open", "em_open"):
            styles.append("Strong" if child.type == "strong_open" else "Emphasis")
        elif child.type in ("strong_close", "em_close"):
            styles.pop()
        elif child.type == "link_open":
            href.append(str(child.attrs.get("href", "")))
        elif child.type == "link_close":
            address = href.pop()
            runs.append((f" ({address.removeprefix('mailto:')})", None))
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(("\n", None))
        elif child.content:
            runs.append((child.content, styles[-1] if styles else None))
    return runs
