"""Page sessions held by the server: a copied cookie is worthless after sign-out, token
revocation or expiry, and sign-in never sends anyone to another site."""

from __future__ import annotations

import base64
import datetime as dt
import re
from urllib.parse import quote, urljoin, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from allocator.extensions import db
from allocator.models import WebSession
from allocator.services.tokens import revoke_token
from tests.support.http import csrf, sign_in

COOKIE = "allocator_session"


def _cookie(client) -> str:
    found = client.get_cookie(COOKIE)
    return found.value if found else ""


def test_the_cookie_holds_a_random_id_and_nothing_else(app, client, demo):
    client.get("/sign-in")
    anonymous = _cookie(client)
    sign_in(client, demo["desk"])
    value = _cookie(client)
    assert value and value != anonymous  # a new id at sign-in (no session fixation)
    assert len(value) >= 40 and "alc_" not in value
    padded = value + "=" * (-len(value) % 4)
    decoded = base64.urlsafe_b64decode(padded)
    assert b"alc_" not in decoded and demo["desk"].encode() not in decoded
    with app.app_context():
        rows = db.session.scalars(select(WebSession)).all()
        assert all(value not in row.sid_hash and "alc_" not in str(row.data) for row in rows)
        assert len({row.sid_hash for row in rows}) == len(rows)


def _copy_to_new_browser(app, client):
    other = app.test_client()
    other.set_cookie(COOKIE, _cookie(client))
    return other


def test_a_cookie_saved_before_sign_out_opens_nothing_after(app, client, demo):
    sign_in(client, demo["desk"])
    thief = _copy_to_new_browser(app, client)
    assert thief.get("/events/1/desk").status_code == 200
    page = client.get("/events/1/desk").get_data(as_text=True)
    out = client.post("/sign-out", data={"csrf_token": csrf(page)})
    assert out.status_code == 302
    assert '"storage"' in out.headers["Clear-Site-Data"]
    r = thief.get("/events/1/desk")
    assert r.status_code == 302 and "/sign-in" in r.headers["Location"]
    assert client.get("/events/1/desk").status_code == 302


def test_revoking_the_token_signs_every_browser_out_at_once(app, client, demo):
    sign_in(client, demo["desk"])
    second = app.test_client()
    sign_in(second, demo["desk"])
    with app.app_context():
        revoke_token("Desk 1")
        assert db.session.scalars(select(WebSession).where(
            WebSession.token_id.is_not(None))).all() == []
    for browser in (client, second):
        assert browser.get("/events/1/desk").status_code == 302


def test_idle_and_absolute_limits_end_the_session(app, client, demo):
    sign_in(client, demo["organizer"])
    assert client.get("/events/1/setup").status_code == 200
    idle = app.config["SESSION_IDLE_MINUTES"]
    with app.app_context():
        db.session.execute(update(WebSession).values(
            last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=idle + 1)))
        db.session.commit()
    assert client.get("/events/1/setup").status_code == 302
    with app.app_context():  # the expired row is gone, not just ignored
        assert db.session.scalars(select(WebSession).where(
            WebSession.token_id.is_not(None))).all() == []
    sign_in(client, demo["organizer"])
    with app.app_context():
        db.session.execute(update(WebSession).values(
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/events/1/setup").status_code == 302


def test_an_active_session_stays_signed_in_while_used(app, client, demo):
    sign_in(client, demo["desk"])
    idle = app.config["SESSION_IDLE_MINUTES"]
    with app.app_context():  # used a while ago, within the idle limit
        db.session.execute(update(WebSession).values(
            last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=idle - 1)))
        db.session.commit()
    assert client.get("/events/1/desk").status_code == 200
    with app.app_context():  # the visit counts as activity
        seen = db.session.scalar(select(WebSession.last_seen_at).where(
            WebSession.token_id.is_not(None)))
        assert dt.datetime.now(dt.UTC) - seen < dt.timedelta(minutes=1)


# --- where sign-in sends you ----------------------------------------------------------

def browser_location(location: str, base: str = "http://desk.example/") -> str:
    """Resolve a Location header as a browser does (WHATWG URL: tabs and line breaks are
    dropped anywhere, C0 controls and spaces trimmed, backslashes read as slashes)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("".join(map(chr, range(33))))
    return urljoin(base, cleaned.replace("\\", "/"))


def _sign_in_to(app, token: str, target: str):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    return client.post(f"/sign-in?next={quote(target, safe='')}",
                       data={"token": token, "csrf_token": csrf(page)})


def test_the_reported_open_redirects(app, demo):
    for target in ("/\t/evil.example", "/\r\nSet-Cookie: x=1", "//evil.example",
                   "/\\evil.example", "https://evil.example/", "/%2F/evil.example",
                   " //evil.example", "/\x00/evil"):
        r = _sign_in_to(app, demo["desk"], target)
        assert r.status_code == 302, target
        assert r.headers["Location"] == "/", (target, r.headers["Location"])
    ok = _sign_in_to(app, demo["desk"], "/events/1/desk?q=a%20b")
    assert ok.headers["Location"] == "/events/1/desk?q=a%20b"


pieces = st.sampled_from(["/", "//", "\\", "\t", "\n", "\r", " ", "%09", "%2F", "%2f",
                          "%5C", "%0d%0a", "evil.example", "http:", "https://", "@",
                          "javascript:alert(1)", ".", "..", "events", "?", "#", ":", "\x7f",
                          "\u3000", "%E3%80%80", "\x0b"])


@given(parts=st.lists(pieces, min_size=1, max_size=6))
@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_sign_in_only_ever_follows_same_site_paths(app, demo, parts):
    target = "".join(parts)
    r = _sign_in_to(app, demo["desk"], target)
    assert r.status_code == 302
    location = r.headers["Location"]
    resolved = urlsplit(browser_location(location))
    assert resolved.scheme == "http" and resolved.netloc == "desk.example", (target, location)
    assert location in ("/", target, target.rstrip("?"))  # werkzeug drops an empty query
