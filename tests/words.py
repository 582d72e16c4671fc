"""A watch on everything people read: no page or problem detail shows a machine key.

Every test that uses the ``app`` fixture is watched: each HTML page's visible text (not
attributes, not ``<code>``) and each problem's ``detail`` and field messages are searched
for the sector and theme keys of the test data ("private_sector", "information-sharing")
and for field names ("participant_id"). Where a person reads, they read labels, titles
and names; keys stay in machine fields (JSON members, CSV headers of the API).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from flask import Flask, request_finished

from allocator.models.base import DEFAULT_SECTORS

THEME_KEYS = ("structured-cooperation", "information-sharing", "non-traditional-stakeholders")
FIELD_NAMES = ("participant_id", "other_id", "group_id", "min_size", "full_name",
               "retention_days", "starts_at", "ends_at", "sector_labels", "time_limit_s")
RAW = re.compile(r"(?<![\w/.#-])(" + "|".join(re.escape(k) for k in (
    *[s for s in DEFAULT_SECTORS if "_" in s], *THEME_KEYS, *FIELD_NAMES)) + r")(?![\w-])")


# Where a key is the very thing typed: the API's column names ("Choose from: …"), a JSON
# member named twice, a caller's own unknown values (or address) echoed back, the query
# parameters an address takes, a title an organiser gave a theme.
TYPED = re.compile(r"Choose from: [^.]*\.|the key \"[^\"]*\" appears twice|"
                   r"Another theme \([^)]*\)|The event has no theme '[^']*'|"
                   r"'[^']*' is not a country|"
                   r"Not among this event's (?:themes|sectors): [^.]*\.|"
                   r"'[^']*' is not one of this event's|'[^']*' was not found|"
                   r"This address takes: [^.]*\.|given more than once: [^.]*\.")


class Visible(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts, styles or <code>."""

    HIDDEN = {"script", "style", "code", "datalist", "option"}

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def readable(content_type: str, body: bytes) -> str:
    """What a person reads of a response ('' for machine answers)."""
    if content_type.startswith("text/html"):
        parser = Visible()
        parser.feed(body.decode("utf-8", "replace"))
        return " ".join(parser.parts)
    if content_type.startswith("application/problem+json"):
        problem = json.loads(body)
        texts = [str(problem.get("detail", ""))]

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                for inner in value.values():  # keys are machine field names
                    walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)
            elif isinstance(value, str):
                texts.append(value)
        walk(problem.get("errors"))
        for item in problem.get("conflicts") or []:
            texts.append(str(item.get("message", "")))
        return " ".join(texts)
    return ""


class RawWords:
    """Collects, for one app, every response that shows a raw key to a reader."""

    def __init__(self, app: Flask) -> None:
        self.found: list[tuple[str, str, str]] = []
        self.app = app
        request_finished.connect(self._seen, app, weak=False)

    def _seen(self, sender: Flask, response: Any, **extra: Any) -> None:
        from flask import request

        if response.direct_passthrough or response.is_streamed:
            return
        text = TYPED.sub("", readable(response.content_type or "", response.get_data()))
        for match in RAW.finditer(text):
            start = max(0, match.start() - 60)
            self.found.append((request.path, match.group(1), text[start:match.end() + 60]))

    def check(self) -> None:
        """Fail the test if any reader saw a raw key."""
        request_finished.disconnect(self._seen, self.app)
        assert not self.found, "raw keys shown to people:\n" + "\n".join(
            f"{path}: {key!r} in …{context}…" for path, key, context in self.found[:10])
