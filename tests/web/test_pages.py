"""The pages without a browser: sign-in, CSRF, roles, labels, weight, headers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from allocator.services.tokens import revoke_token
from tests.support.http import csrf, sign_in


def test_sign_in_sets_a_strict_cookie_and_wrong_tokens_are_refused(client, demo):
    bad = sign_in(client, "alc_000000000000_" + "x" * 40)
    assert bad.status_code == 401 and "not valid" in bad.get_data(as_text=True)
    good = sign_in(client, demo["desk"])
    assert good.status_code == 302
    cookie = good.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/", follow_redirects=True).request.path == "/events/1/desk"


def test_forms_need_the_csrf_token(client, demo):
    sign_in(client, demo["desk"])
    r = client.post("/events/1/desk/1/check-in", data={})
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "reload the page" in r.get_data(as_text=True)
    no_token_sign_in = client.post("/sign-in", data={"token": demo["desk"]})
    assert no_token_sign_in.status_code == 400


def test_roles_and_scopes_on_pages(app, client, demo):
    assert client.get("/events/1/desk").status_code == 302  # to sign-in
    sign_in(client, demo["desk"])
    assert client.get("/events/1/desk").status_code == 200
    for organiser_only in ("/events/1/setup", "/events/1/rules", "/events/1/allocate"):
        r = client.get(organiser_only)
        assert r.status_code == 403 and r.mimetype == "text/html"
    viewer = app.test_client()
    sign_in(viewer, demo["viewer"])
    assert viewer.get("/events/1/desk").status_code == 403
    with app.app_context():
        revoke_token("Desk 1")
    r = client.get("/events/1/desk")
    assert r.status_code == 302 and "/sign-in" in r.headers["Location"]


def test_search_check_in_and_undo_without_javascript(client, demo):
    sign_in(client, demo["desk"])
    token = csrf(client.get("/events/1/desk").get_data(as_text=True))
    searched = client.post("/events/1/desk", data={"csrf_token": token, "q": "ejemplo"})
    # the name searched for never appears in an address (history, logs, a shared PC)
    assert searched.status_code == 302 and "ejemplo" not in searched.headers["Location"]
    page = client.get(searched.headers["Location"]).get_data(as_text=True)
    assert "Paula Ejemplo" in page and 'value="ejemplo"' in page
    pid = re.search(r'/events/1/desk/(\d+)/check-in', page).group(1)
    r = client.post(f"/events/1/desk/{pid}/check-in", data={"csrf_token": csrf(page)})
    assert r.status_code == 302 and "ejemplo" not in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Paula Ejemplo is checked in." in page and "✓ checked in" in page
    assert "?q=" not in page
    client.post(f"/events/1/desk/{pid}/check-in", data={"csrf_token": csrf(page), "undo": "1"})
    assert "Check-in of Paula Ejemplo undone." in client.get("/events/1/desk").get_data(
        as_text=True)
    fragment = client.post("/events/1/desk/results", data={
        "csrf_token": csrf(page), "q": "beispiel"}).get_data(as_text=True)
    assert "Peter Beispiel" in fragment and "<html" not in fragment
    assert client.get("/events/1/desk/results?q=beispiel").status_code == 405


def test_registration_speaks_the_apis_rules(client, demo):
    sign_in(client, demo["desk"])
    page = client.get("/events/1/desk/register").get_data(as_text=True)
    form = {"csrf_token": csrf(page), "full_name": "Ada", "email": "not-an-email",
            "organization": "X", "sector": "government", "rank-information-sharing": "1",
            "rank-structured-cooperation": "1"}
    r = client.post("/events/1/desk/register", data=form)
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Not a valid e-mail address." in text
    assert "Consent to processing is required." in text
    assert "Give each theme a different rank." in text
    assert 'aria-invalid="true"' in text
    form.update(email="ada@example.org", consent="yes", **{"rank-structured-cooperation": "2"})
    r = client.post("/events/1/desk/register", data=form)
    assert r.status_code == 302
    again = client.post("/events/1/desk/register", data={**form, "full_name": "Ada Two",
                                                          "email": "ADA@example.org"})
    text = again.get_data(as_text=True)
    assert again.status_code == 422 and "open their registration" in text
    assert re.search(r'href="/events/1/desk/\d+"', text)


class Inputs(HTMLParser):
    """Collects form controls, labels and asset URLs of a page."""

    def __init__(self):
        super().__init__()
        self.controls, self.labels, self.assets = [], set(), []
        self.remembering = []  # forms whose fields the browser may keep for the next user

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("autocomplete") != "off":
            self.remembering.append(a.get("action") or "(this page)")
        if tag in ("input", "textarea") and a.get("autocomplete") not in (None, "off"):
            self.remembering.append(a.get("id"))
        if tag in ("input", "select", "textarea") and a.get("type") not in (
                "hidden", "submit", "button"):
            self.controls.append(a.get("id"))
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag in ("script", "link", "img"):
            self.assets.append(a.get("src") or a.get("href"))


def test_every_page_labels_its_inputs_stays_small_and_loads_nothing_external(app, client,
                                                                             demo):
    sign_in(client, demo["organizer"])
    page = client.get("/events/1/allocate").get_data(as_text=True)
    run = client.post("/events/1/allocate", data={"csrf_token": csrf(page),
                                                  "time_limit_s": "5"})
    assert run.status_code == 302
    css = len(client.get("/static/web/app.css").data)
    js = len(client.get("/static/web/app.js").data)
    for path in ("/events/1/desk", "/events/1/desk/register", "/events/1/setup",
                 "/events/1/rules", "/events/1/allocate", run.headers["Location"], "/sign-in",
                 "/events/1/team", "/events/1/programme", "/events/1/invitations",
                 "/events/1/import", "/events/1/plenary", "/events/1/desk/1",
                 "/events/1/people/1/edit",
                 "/events/1/groups/1/recommendations", "/events/new"):
        r = client.get(path)
        assert r.status_code == 200, path
        html = r.get_data(as_text=True)
        parser = Inputs()
        parser.feed(html)
        unlabelled = [c for c in parser.controls if c not in parser.labels]
        assert not unlabelled, (path, unlabelled)
        # a shared desk PC: nothing typed into a staff page is kept by the browser
        assert not parser.remembering, (path, parser.remembering)
        assert all(a.startswith("/") for a in parser.assets if a), (path, parser.assets)
        assert len(r.data) + css + js < 200 * 1024, (path, len(r.data))
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
        assert r.headers["Cache-Control"] == "no-store"
        assert "<script>" not in html  # no inline scripts: the policy forbids them


def test_sign_in_page_is_throttled_like_the_api(app, client, demo):
    app.config["AUTH_FAIL_LIMIT"] = 2
    for _ in range(2):
        assert "not valid" in sign_in(client, "alc_000000000000_" + "y" * 40).get_data(
            as_text=True)
    blocked = sign_in(client, "alc_000000000000_" + "y" * 40).get_data(as_text=True)
    assert "Too many failed attempts" in blocked
    assert sign_in(client, demo["desk"]).status_code == 302  # the real holder gets in


def test_organiser_edits_event_themes_and_groups(client, demo):
    sign_in(client, demo["organizer"])
    page = client.get("/events/1/setup").get_data(as_text=True)
    token = csrf(page)
    r = client.post("/events/1/setup/themes/information-sharing",
                    data={"csrf_token": token, "title": "Information sharing & data"})
    assert r.status_code == 302
    page = client.get("/events/1/setup").get_data(as_text=True)
    assert "Theme saved." in page and 'value="Information sharing &amp; data"' in page
    client.post("/events/1/setup/themes/information-sharing", data={
        "csrf_token": token, "title": "Information sharing & data",
        "description": "How can data be shared between police and NGOs, safely?"})
    page = client.get("/events/1/setup").get_data(as_text=True)
    assert ">How can data be shared between police and NGOs, safely?</textarea>" in page
    theme = client.get("/api/events/1/themes", headers={
        "Authorization": f"Bearer {demo['organizer']}"}).json
    assert any(t["description"] == "How can data be shared between police and NGOs, safely?"
               for t in (theme if isinstance(theme, list) else theme.get("items", [])))
    refused = client.post("/events/1/setup/themes/information-sharing",
                          data={"csrf_token": token, "delete": "1"})
    assert "working group" in client.get(refused.headers["Location"]).get_data(as_text=True)
    client.post("/events/1/setup/groups/1", data={
        "csrf_token": token, "name": "WG One", "theme": "structured-cooperation",
        "room": "M9", "capacity": "40", "min_size": "5"})
    page = client.get("/events/1/setup").get_data(as_text=True)
    assert "Working group saved." in page and 'value="WG One"' in page
    bad = client.post("/events/1/setup/groups/1", data={
        "csrf_token": token, "name": "WG One", "theme": "structured-cooperation",
        "capacity": "4", "min_size": "5"})
    said = client.get(bad.headers["Location"]).get_data(as_text=True)
    assert "Minimum size: May not exceed the capacity." in said


def test_digits_from_other_scripts_are_form_errors_not_crashes(client, demo):
    """"²".isdigit() is True but int("²") fails: every number field says what is wrong."""
    sign_in(client, demo["organizer"])
    token = csrf(client.get("/events/1/setup").get_data(as_text=True))
    posts = {
        "/events/1/rules": {"kind": "pin", "participant_id": "²", "group_id": "1"},
        "/events/1/setup/event": {"name": "X", "retention_days": "²"},
        "/events/1/setup/groups": {"name": "G9", "theme": "structured-cooperation",
                                   "capacity": "٣", "min_size": "0"},
        "/events/1/desk/register": {"full_name": "A", "email": "a@example.org",
                                    "organization": "X", "sector": "government",
                                    "consent": "yes", "rank-structured-cooperation": "²"},
    }
    for path, form in posts.items():
        r = client.post(path, data={**form, "csrf_token": token}, follow_redirects=True)
        assert r.status_code in (200, 422), (path, r.status_code)
        html = r.get_data(as_text=True)
        assert "It has been logged" not in html
        assert 'class="flash error"' in html or 'class="field-error"' in html, path


def test_the_allocate_form_refuses_a_time_limit_in_the_apis_words(client, demo):
    """A limit that is not a number, not positive, above the server's maximum or shorter
    than the first answer needs is refused next to the button, as the API refuses it;
    nothing runs (the form used to replace such values silently)."""
    sign_in(client, demo["organizer"])
    page = client.get("/events/1/allocate").get_data(as_text=True)
    for typed, words in (("abc", "The time limit is a number of seconds up to 120"),
                         ("-5", "The time limit is a number of seconds up to 120"),
                         ("500", "The time limit is a number of seconds up to 120"),
                         ("0.1", "At least 0.2 seconds for 81 people")):
        r = client.post("/events/1/allocate", data={"csrf_token": csrf(page),
                                                    "time_limit_s": typed})
        assert r.status_code == 302 and r.headers["Location"].endswith("/allocate#allocate")
        shown = client.get(r.headers["Location"]).get_data(as_text=True)
        assert words in shown, typed
        assert "/runs/" not in shown, typed  # no run was made
    ran = client.post("/events/1/allocate", data={"csrf_token": csrf(page),
                                                  "time_limit_s": "0.5"})
    assert "/runs/" in ran.headers["Location"]


def test_the_allocate_form_grants_the_mix_work_the_api_takes(app, client, demo):
    """Issue 28: "spend up to N s improving the mix" is on the page as in the API
    (``mix_s``), refused in the API's words when it is not a number of seconds."""
    from sqlalchemy import select

    from allocator.extensions import db
    from allocator.models import AllocationRun

    sign_in(client, demo["organizer"])
    page = client.get("/events/1/allocate").get_data(as_text=True)
    assert 'id="mix_s"' in page
    for typed in ("abc", "-1"):
        r = client.post("/events/1/allocate", data={"csrf_token": csrf(page),
                                                    "time_limit_s": "5", "mix_s": typed})
        assert r.status_code == 302 and r.headers["Location"].endswith("/allocate#allocate")
        assert "The work for the mix is a number of seconds from 0" in client.get(
            r.headers["Location"]).get_data(as_text=True)
    ran = client.post("/events/1/allocate", data={"csrf_token": csrf(page),
                                                  "time_limit_s": "20", "mix_s": "0.5"})
    assert "/runs/" in ran.headers["Location"]
    with app.app_context():
        run = db.session.scalar(select(AllocationRun).order_by(AllocationRun.id.desc()))
        assert run.problem["mix_s"] == 0.5


def test_the_allocate_page_names_who_is_needed_and_goes_ahead_without_them(client, demo):
    """The page shows the API's refusal as a list beside "Go ahead without them"; that
    button makes the run, whose page then carries the warning."""
    from tests.support.http import bearer

    desk = bearer(demo["desk"])
    people = client.get("/api/events/1/participants?per_page=100", headers=desk).json["items"]
    for person in people:
        if person["role"] == "participant" and not person["duties"]:
            client.post(f"/api/events/1/participants/{person['id']}/check-in", headers=desk)
    sign_in(client, demo["organizer"])
    page = client.get("/events/1/allocate").get_data(as_text=True)
    refused = client.post("/events/1/allocate", data={
        "csrf_token": csrf(page), "checked_in_only": "1", "time_limit_s": "5"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Somchai Tua-yang: registered as a facilitator, not checked in." in html
    assert "Go ahead without them" in html and 'checked_in_only" value="1" checked' in html
    without = re.findall(r'name="without" value="(\d+)"', html)
    assert len(without) == 3
    ran = client.post("/events/1/allocate", data={
        "csrf_token": csrf(page), "checked_in_only": "1", "time_limit_s": "5",
        "without": without})
    assert ran.status_code == 302 and "/runs/" in ran.headers["Location"]
    shown = client.get(ran.headers["Location"]).get_data(as_text=True)
    assert "Left out by the organisers" in shown
    assert "Paula Ejemplo: registered as a facilitator, not checked in." in shown
