"""Driving the pages in Chromium for a test: the viewport sizes, signing in by token, one
page state checked at two widths."""

from __future__ import annotations

from tests.e2e.conftest import check

DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 320, "height": 640}


def sign_in(page, server, token):
    """Sign in with ``token`` on the sign-in page the site's address leads to."""
    page.goto(server.url + "/")
    assert "/sign-in" in page.url
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def both(page, name: str) -> None:
    """Check the page state at 1280 px and again at 768 px (then back)."""
    width = page.viewport_size["width"]
    for size, suffix in ((DESKTOP, "1280"), (TABLET, "768")):
        page.set_viewport_size(size)
        check(page, f"{name}-{suffix}")
    page.set_viewport_size(DESKTOP if width == 1280 else TABLET)
