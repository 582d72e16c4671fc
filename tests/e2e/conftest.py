"""Debian's Chromium driven by Playwright, against the app served by gunicorn."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("SCREENSHOTS", ROOT / "screenshots"))
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session (never `playwright install`: the system's own)."""
    from playwright.sync_api import expect, sync_playwright

    # Every check waits for what the user would see (never a one-off read); on a busy CI
    # runner a page may take longer than Playwright's 5 s default to get there.
    expect.set_options(timeout=15_000)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see README)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def demo(app):
    """The aide-memoire's workshop, with an organizer and a desk token."""
    from allocator.demo import seed_demo
    from allocator.services.tokens import create_token

    with app.app_context():
        event = seed_demo()
        return {"event": event.id, "organizer": create_token("organizer", "Organiser"),
                "desk": create_token("desk", "Desk 1")}


@pytest.fixture
def server(start_server, demo):
    """The app under gunicorn, on the demo's database."""
    return start_server()


def shot(page, name: str) -> None:
    """Save a screenshot for a reviewer (git-ignored folder)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits(page) -> bool:
    """No sideways scrolling at this width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds in the page as it is now, one line each
    ("rule: what, at which element"). Evaluated through the debugger protocol, so the
    pages' strict Content-Security-Policy stays on."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [f"{v['id']}: {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
            for v in result["violations"]]


def check(page, name: str) -> None:
    """One page state: screenshot it, then no sideways scroll and no axe violation."""
    shot(page, name)
    assert fits(page), f"{name}: scrolls sideways at {page.viewport_size['width']} px"
    found = axe_violations(page)
    assert not found, f"{name}: " + "; ".join(found)
