"""The plenary and the report: ordering the statement, formatted text, the chart,
releasing the report to facilitators, autosave, and the moderator's and projector's pages."""

from __future__ import annotations

import io

from tests.conftest import bearer
from tests.support.http import csrf, sign_in


def _facilitator(app, event_id: int, group_id: int | None, name: str = "Facilitator") -> str:
    from allocator.services.tokens import create_token

    with app.app_context():
        return create_token("facilitator", name, event_id, group_id)


def _add(client, headers, base, group, title, status="proposed", text=""):
    r = client.post(f"{base}/groups/{group}/recommendations", headers=headers,
                    json={"title": title, "status": status, "text": text or f"{title}."})
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_the_moderator_orders_the_statement_and_nobodys_open_edit_turns_stale(
        app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1 = event["groups"][0]["id"]
    first, second, third = (_add(client, org, base, wg1, title) for title in (
        "Joint trainings", "A referral mechanism", "Shared case files"))

    r = client.put(f"{base}/recommendations/order", headers=org,
                   json={"ids": [third, first, second]})
    assert r.status_code == 200, r.json
    listed = client.get(f"{base}/groups/{wg1}/recommendations", headers=org).json
    assert [item["id"] for item in listed] == [third, first, second]
    assert [item["version"] for item in listed] == [1, 1, 1]
    # A facilitator who opened "Joint trainings" before the reordering still saves.
    mine = bearer(_facilitator(app, event["id"], wg1))
    saved = client.patch(f"{base}/recommendations/{first}",
                         headers={**mine, "If-Match": '"1"'}, json={"text": "Twice a year."})
    assert saved.status_code == 200 and saved.json["position"] == 2

    # The report follows the moderator's order.
    for rid in (first, second, third):
        version = client.get(f"{base}/recommendations/{rid}", headers=org).headers["ETag"]
        client.patch(f"{base}/recommendations/{rid}", headers={**org, "If-Match": version},
                     json={"status": "adopted"})
    from docx import Document

    text = [p.text for p in Document(io.BytesIO(
        client.get(f"{base}/report.docx", headers=org).data)).paragraphs]
    assert text.index("Shared case files") < text.index("Joint trainings") \
        < text.index("A referral mechanism")


def test_ordering_refuses_what_it_cannot_place(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1 = event["groups"][0]["id"]
    rid = _add(client, org, base, wg1, "Joint trainings")
    other = client.post("/api/events", headers=org, json={
        "name": "Another workshop", "starts_at": "2031-03-01T09:00:00",
        "ends_at": "2031-03-01T12:00:00", "timezone": "UTC"}).json["id"]
    for body, words in (({"ids": [rid, rid]}, "once"),
                        ({"ids": [rid, 999_999]}, "Not recommendations of this event"),
                        ({"ids": []}, None), ({"ids": ["1"]}, None), ({}, None)):
        r = client.put(f"{base}/recommendations/order", headers=org, json=body)
        assert r.status_code == 422, (body, r.json)
        assert r.headers["Content-Type"] == "application/problem+json"
        if words:
            assert words in str(r.json["errors"])
    assert client.put(f"/api/events/{other}/recommendations/order", headers=org,
                      json={"ids": [rid]}).status_code == 422
    for headers in (bearer(_facilitator(app, event["id"], wg1)), bearer(tokens["desk"]),
                    bearer(tokens["viewer"])):
        assert client.put(f"{base}/recommendations/order", headers=headers,
                          json={"ids": [rid]}).status_code == 403


def test_facilitators_download_the_report_once_the_organisers_release_it(
        app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1 = event["groups"][0]["id"]
    token = _facilitator(app, event["id"], wg1)
    mine = bearer(token)
    for fmt in ("docx", "pdf"):
        refused = client.get(f"{base}/report.{fmt}", headers=mine)
        assert refused.status_code == 403 and "not released" in refused.json["detail"]
    assert client.get(f"{base}/report/release", headers=org).json["released"] is False
    assert client.post(f"{base}/report/release", headers=mine).status_code == 403
    released = client.post(f"{base}/report/release", headers=org)
    assert released.status_code == 200 and released.json["released"] is True
    assert client.get(base, headers=org).json["report_released_at"]
    assert client.get(f"{base}/report.docx", headers=mine).status_code == 200
    assert client.get(f"{base}/report.pdf", headers=mine).data.startswith(b"%PDF")
    for role in ("desk", "viewer"):  # still not theirs
        assert client.get(f"{base}/report.docx", headers=bearer(tokens[role])).status_code \
            == 403

    # The same on the pages: the facilitator's page offers the report, and it downloads.
    browser = app.test_client()
    sign_in(browser, token)
    page = browser.get(f"/events/{event['id']}/groups/{wg1}/recommendations").get_data(
        as_text=True)
    assert f"/events/{event['id']}/report.docx" in page
    assert browser.get(f"/events/{event['id']}/report.docx").status_code == 200

    assert client.delete(f"{base}/report/release", headers=org).json["released"] is False
    assert client.get(f"{base}/report.docx", headers=mine).status_code == 403
    assert browser.get(f"/events/{event['id']}/report.docx").status_code == 403
    assert "report.docx" not in browser.get(
        f"/events/{event['id']}/groups/{wg1}/recommendations").get_data(as_text=True)


def test_formatted_text_reaches_the_documents_and_nothing_in_it_runs(
        app, client, tokens, event):
    from docx import Document
    from pypdf import PdfReader

    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1 = event["groups"][0]["id"]
    text = ("Police and **NGOs** review *closed* cases.\n\n- twice a year\n- with interpreters"
            "\n\n<script>alert('x')</script> [see](javascript:alert(1))")
    rid = _add(client, org, base, wg1, "Joint case reviews", "adopted", text)
    shown = client.get(f"{base}/recommendations/{rid}", headers=org).json
    assert "<strong>NGOs</strong>" in shown["text_html"]
    assert "<script>" not in shown["text_html"] and "javascript:" not in shown[
        "text_html"].split("[see]")[0]
    assert shown["text"] == text  # stored as written

    document = Document(io.BytesIO(client.get(f"{base}/report.docx", headers=org).data))
    styled = {(run.text, run.style.name) for p in document.paragraphs for run in p.runs}
    assert ("NGOs", "Strong") in styled and ("closed", "Emphasis") in styled
    items = [p.text for p in document.paragraphs if p.style.name == "List Bullet 2"]
    assert items == ["twice a year", "with interpreters"]
    words = "\n".join(p.text for p in document.paragraphs)
    assert "**" not in words and "<script>alert('x')</script>" in words  # shown, as typed

    pdf = client.get(f"{base}/report.pdf", headers=org).data
    pdf_text = " ".join(" ".join(page.extract_text().split())
                        for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Police and NGOs review closed cases." in pdf_text and "**" not in pdf_text
    assert "twice a year" in pdf_text and "<script>alert('x')</script>" in pdf_text
    assert b"/JavaScript" not in pdf and b"/JS " not in pdf


def test_the_report_shows_participation_as_a_chart_made_the_same_way_each_time(
        app, client, tokens, event):
    from docx import Document
    from pypdf import PdfReader

    from allocator.services import report
    from tests.support.workshop import published

    org = bearer(tokens["organizer"])
    base, _, placed = published(client, org, event)
    document = Document(io.BytesIO(client.get(f"{base}/report.docx", headers=org).data))
    assert len(document.inline_shapes) == 1
    assert "Participants by sector" in [p.text for p in document.paragraphs]
    pdf = client.get(f"{base}/report.pdf", headers=org).data
    assert "Participants by sector" in " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    with app.app_context():
        from allocator.services.events import get_event

        built = report.build(get_event(event["id"]))
        assert built.participants == len(placed)
        svg = report.chart_svg(built)
        assert svg == report.chart_svg(built) and svg.startswith("<svg")
        for label, count in built.by_sector:  # every sector is a labelled bar
            assert f">{label}<" in svg
            assert count == 0 or f">{count}<" in svg


def test_the_pages_autosave_answers_in_json(app, client, tokens, event):
    wg1 = event["groups"][0]["id"]
    base = f"/api/events/{event['id']}"
    token = _facilitator(app, event["id"], wg1)
    rid = _add(client, bearer(token), base, wg1, "Joint trainings")
    browser = app.test_client()
    sign_in(browser, token)
    page = browser.get(f"/events/{event['id']}/groups/{wg1}/recommendations").get_data(
        as_text=True)
    assert "data-autosave" in page and "data-autosave-status" in page
    url = f"/events/{event['id']}/recommendations/{rid}"
    json = {"Accept": "application/json"}
    saved = browser.post(url, headers=json, data={
        "csrf_token": csrf(page), "version": "1", "title": "Joint trainings",
        "text": "Twice a year.", "status": "proposed"})
    assert saved.status_code == 200 and saved.json == {"version": 2, "status": "proposed"}
    stale = browser.post(url, headers=json, data={
        "csrf_token": csrf(page), "version": "1", "title": "Joint trainings",
        "text": "Once a year."})
    assert stale.status_code == 409 and stale.content_type == "application/problem+json"
    assert stale.json["current_version"] == 2
    blank = browser.post(url, headers=json, data={
        "csrf_token": csrf(page), "version": "2", "title": " "})
    assert blank.status_code == 422 and blank.json["errors"]["title"]
    no_csrf = browser.post(url, headers=json, data={"version": "2", "title": "X"})
    assert no_csrf.status_code == 400
    stored = client.get(f"{base}/recommendations/{rid}",
                        headers=bearer(tokens["organizer"])).json
    assert stored["text"] == "Twice a year." and stored["version"] == 2


def test_the_moderator_adopts_amends_merges_drops_and_orders_on_the_plenary_page(
        app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1, wg2 = event["groups"][0]["id"], event["groups"][1]["id"]
    first = _add(client, org, base, wg1, "Joint trainings")
    second = _add(client, org, base, wg1, "A referral mechanism")
    duplicate = _add(client, org, base, wg2, "Joint trainings, again")
    browser = app.test_client()
    sign_in(browser, tokens["organizer"])
    plenary = f"/events/{event['id']}/plenary"
    page = browser.get(plenary).get_data(as_text=True)
    assert "Structured Cooperation" in page and "Joint trainings, again" in page
    token = csrf(page)

    def post(rid, **data):
        return browser.post(f"/events/{event['id']}/recommendations/{rid}",
                            data={"csrf_token": token, "back": "plenary", **data})

    assert post(first, version="1", status="adopted").headers["Location"].endswith(
        f"/plenary#r{first}")
    amended = post(first, version="2", title="Joint trainings",
                   text="Joint trainings twice a year.", status="amended")
    assert amended.status_code == 302
    merged = post(duplicate, version="1", status="merged", merged_into_id=str(first))
    assert merged.status_code == 302
    bad_merge = post(second, version="1", status="merged", merged_into_id="")
    assert bad_merge.status_code == 422 and "merged into" in bad_merge.get_data(as_text=True)
    assert post(second, version="1", status="dropped").status_code == 302
    stale = post(first, version="1", status="dropped")
    assert stale.status_code == 409 and "Someone else changed this" in stale.get_data(
        as_text=True)
    moved = browser.post(f"/events/{event['id']}/recommendations/{second}/move",
                         data={"csrf_token": token, "direction": "up"})
    assert moved.status_code == 302
    listed = client.get(f"{base}/groups/{wg1}/recommendations", headers=org).json
    assert [(r["id"], r["status"]) for r in listed] == [(second, "dropped"),
                                                        (first, "amended")]
    page = browser.get(plenary).get_data(as_text=True)
    assert "Earlier wordings" in page and "Joint trainings." in page  # the original
    assert "merged into “Joint trainings”" in page

    # Locking a group from the page; facilitators cannot open the plenary.
    locked = browser.post(f"/events/{event['id']}/groups/{wg1}/recommendations/lock",
                          data={"csrf_token": token, "locked": "1"}, follow_redirects=True)
    assert "locked; only the organisers" in locked.get_data(as_text=True)
    facilitator = app.test_client()
    sign_in(facilitator, _facilitator(app, event["id"], wg1))
    assert facilitator.get(plenary).status_code == 403
    theirs = facilitator.get(f"/events/{event['id']}/groups/{wg1}/recommendations"
                             ).get_data(as_text=True)
    assert "Locked by the organisers: only the organisers change it now." in theirs
    assert "data-autosave" not in theirs and "Add a recommendation" not in theirs
    # The summary is saved from the page into the report.
    browser.post(f"/events/{event['id']}/report/summary",
                 data={"csrf_token": token, "report_summary": "The groups agreed."})
    assert client.get(base, headers=org).json["report_summary"] == "The groups agreed."


def test_the_projector_shows_one_group_as_it_stands(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1, wg2 = event["groups"][0]["id"], event["groups"][1]["id"]
    _add(client, org, base, wg1, "Joint trainings", "adopted", "**Twice** a year.")
    _add(client, org, base, wg1, "A dropped idea", "dropped")
    _add(client, org, base, wg2, "Shared data standards")
    browser = app.test_client()
    sign_in(browser, tokens["organizer"])
    first = browser.get(f"/events/{event['id']}/plenary/projector/0")
    assert first.headers["Location"].endswith(f"/plenary/projector/{wg1}")
    page = browser.get(first.headers["Location"]).get_data(as_text=True)
    assert "Joint trainings" in page and "<strong>Twice</strong>" in page
    assert "A dropped idea" not in page and "Shared data standards" not in page
    assert f'rel="next" href="/events/{event["id"]}/plenary/projector/{wg2}"' in page
    assert "1 / 3" in page
    assert browser.get(f"/events/{event['id']}/plenary/projector/999999").status_code == 404

    facilitator = app.test_client()
    sign_in(facilitator, _facilitator(app, event["id"], wg2))
    assert facilitator.get(f"/events/{event['id']}/plenary/projector/{wg1}").status_code \
        == 403
    own = facilitator.get(f"/events/{event['id']}/plenary/projector/{wg2}").get_data(
        as_text=True)
    assert "Shared data standards" in own and "1 / 1" in own and 'rel="next"' not in own
