"""Recommendations: facilitators write their group's, organisers moderate; no lost edits."""

from __future__ import annotations

from tests.conftest import bearer


def _facilitator(app, event_id: int, group_id: int | None, name: str) -> dict[str, str]:
    from allocator.services.tokens import create_token

    with app.app_context():
        return bearer(create_token("facilitator", name, event_id, group_id))


def test_a_facilitator_writes_their_group_and_no_other(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1, wg2 = event["groups"][0]["id"], event["groups"][1]["id"]
    mine = _facilitator(app, event["id"], wg1, "Facilitator WG1")

    r = client.post(f"{base}/groups/{wg1}/recommendations", headers=mine, json={
        "title": "A national referral mechanism", "text": "Set up **one** contact point.",
        "status": "proposed"})
    assert r.status_code == 201 and r.headers["ETag"] == '"1"'
    assert r.json["changed_by_role"] == "facilitator" and r.json["history"] == []
    rid = r.json["id"]
    other = client.post(f"{base}/groups/{wg2}/recommendations", headers=mine,
                        json={"title": "Not mine"})
    assert other.status_code == 403 and "another working group" in other.json["detail"]
    adopt = client.patch(f"{base}/recommendations/{rid}", headers={**mine, "If-Match": '"1"'},
                         json={"status": "adopted"})
    assert adopt.status_code == 403 and "Only the organisers" in adopt.json["detail"]
    # Facilitators read every group's output and their own group's list, not others'.
    assert client.get(f"{base}/recommendations", headers=mine).status_code == 200
    assert client.get(f"{base}/groups/{wg2}.csv", headers=mine).status_code == 403
    for role in ("desk", "viewer"):
        refused = client.post(f"{base}/groups/{wg1}/recommendations",
                              headers=bearer(tokens[role]), json={"title": "x"})
        assert refused.status_code == 403

    # Organisers lock the group; the facilitator can no longer change it.
    assert client.post(f"{base}/groups/{wg1}/recommendations/lock", headers=org).json[
        "locked_at"]
    locked = client.patch(f"{base}/recommendations/{rid}",
                          headers={**mine, "If-Match": '"1"'}, json={"title": "Later"})
    assert locked.status_code == 409 and "locked" in locked.json["detail"]
    assert client.post(f"{base}/groups/{wg1}/recommendations/lock", headers=mine
                       ).status_code == 403


def test_two_editors_never_overwrite_each_other_unseen(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1 = event["groups"][0]["id"]
    first = _facilitator(app, event["id"], wg1, "Facilitator A")
    second = _facilitator(app, event["id"], wg1, "Facilitator B")
    rid = client.post(f"{base}/groups/{wg1}/recommendations", headers=first,
                      json={"title": "Shared data standards"}).json["id"]

    missing = client.patch(f"{base}/recommendations/{rid}", headers=first,
                           json={"text": "No If-Match"})
    assert missing.status_code == 428 and "If-Match" in missing.json["detail"]
    ok = client.patch(f"{base}/recommendations/{rid}", headers={**first, "If-Match": '"1"'},
                      json={"text": "Agree on one data standard."})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = client.patch(f"{base}/recommendations/{rid}",
                         headers={**second, "If-Match": '"1"'}, json={"text": "Mine"})
    assert stale.status_code == 412
    assert stale.json["current"]["text"] == "Agree on one data standard."
    assert stale.json["current_version"] == 2 and stale.headers["ETag"] == '"2"'
    assert client.delete(f"{base}/recommendations/{rid}", headers=second).status_code == 428
    assert client.delete(f"{base}/recommendations/{rid}",
                         headers={**second, "If-Match": '"1"'}).status_code == 412

    # The moderator amends it: the history keeps the original wording.
    amended = client.patch(f"{base}/recommendations/{rid}", headers={**org, "If-Match": '"2"'},
                           json={"text": "Agree on one data standard within a year.",
                                 "status": "amended", "position": 1})
    assert amended.status_code == 200
    detail = client.get(f"{base}/recommendations/{rid}", headers=org).json
    assert [h["text"] for h in detail["history"]] == ["", "Agree on one data standard."]
    assert detail["status"] == "amended" and detail["version"] == 3


def test_merging_needs_another_recommendation_of_the_event(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1, wg2 = event["groups"][0]["id"], event["groups"][1]["id"]
    a = client.post(f"{base}/groups/{wg1}/recommendations", headers=org,
                    json={"title": "Joint trainings"}).json
    b = client.post(f"{base}/groups/{wg2}/recommendations", headers=org,
                    json={"title": "Joint training of police and NGOs"}).json
    bad = client.patch(f"{base}/recommendations/{a['id']}",
                       headers={**org, "If-Match": '"1"'}, json={"status": "merged"})
    assert bad.status_code == 422 and "merged_into_id" in bad.json["errors"]
    merged = client.patch(f"{base}/recommendations/{a['id']}",
                          headers={**org, "If-Match": '"1"'},
                          json={"status": "merged", "merged_into_id": b["id"]})
    assert merged.status_code == 200 and merged.json["merged_into_id"] == b["id"]
    listed = client.get(f"{base}/recommendations", headers=org).json
    assert {r["status"] for r in listed} == {"merged", "draft"}


def test_the_report_holds_adopted_recommendations_and_numbers_never_names(
        app, client, tokens, event):
    import io

    from docx import Document

    from tests.support.workshop import published

    org = bearer(tokens["organizer"])
    base, run_id, placed = published(client, org, event)
    wg1, wg2 = event["groups"][0]["id"], event["groups"][1]["id"]

    def add(group, title, status):
        r = client.post(f"{base}/groups/{group}/recommendations", headers=org,
                        json={"title": title, "text": f"{title}: the details.",
                              "status": status})
        assert r.status_code == 201, r.json
        return r.json["id"]

    add(wg1, "A national referral mechanism", "adopted")
    add(wg2, "Shared data standards", "adopted")
    add(wg2, "A register of every victim", "dropped")
    add(wg1, "An idea still in draft", "draft")
    assert client.patch(base, headers=org, json={
        "report_summary": "The groups agreed on cooperation.\n\nAnd on data."}
        ).status_code == 200
    assert client.get(f"{base}/report.docx", headers=bearer(tokens["desk"])).status_code \
        == 403
    r = client.get(f"{base}/report.docx", headers=org)
    assert r.status_code == 200 and r.headers["Content-Type"].endswith("document")
    document = Document(io.BytesIO(r.data))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "A national referral mechanism" in text and "Shared data standards" in text
    assert "A register of every victim" not in text and "still in draft" not in text
    assert "The groups agreed on cooperation." in text
    assert {p.style.name for p in document.paragraphs} >= {"Title", "Heading 1",
                                                             "Heading 2", "List Number"}
    people = client.get(f"{base}/participants?per_page=100", headers=org).json["items"]
    for person in people:  # no participant's name or e-mail anywhere
        assert person["full_name"] not in text + " ".join(cells)
        assert person["email"] not in text + " ".join(cells)
    by_sector = dict(zip(cells[2::2], cells[3::2], strict=False))
    for label, key in (("Government", "government"), ("Civil society", "civil_society")):
        expected = sum(1 for p in people if p["sector"] == key and p["id"] in placed)
        assert by_sector[label] == str(expected)
    # nobody was checked in: attendance is not claimed
    assert f"{len(placed)} participants registered, all placed in working groups; no " \
        "check-in was recorded at the desk." in text
    again = Document(io.BytesIO(client.get(f"{base}/report.docx", headers=org).data))
    assert [p.text for p in again.paragraphs] == [p.text for p in document.paragraphs]


def test_the_report_counts_who_checked_in_apart_from_who_registered_and_was_placed(
        app, client, tokens, event):
    """Attendance is who checked in; registered and placed are said apart where they
    differ (a placed no-show is not someone who took part)."""
    import io

    from docx import Document

    from tests.support.workshop import published

    org, desk = bearer(tokens["organizer"]), bearer(tokens["desk"])
    base, _, placed = published(client, org, event)

    def said() -> str:
        document = Document(io.BytesIO(client.get(f"{base}/report.docx", headers=org).data))
        return "\n".join(p.text for p in document.paragraphs)

    for pid in list(placed)[:10]:
        client.post(f"{base}/participants/{pid}/check-in", headers=desk)
    assert "10 participants took part (checked in) of 12 registered; 12 placed in working " \
        "groups." in said()
    for pid in list(placed)[10:]:
        client.post(f"{base}/participants/{pid}/check-in", headers=desk)
    assert "12 participants took part." in said()


def test_merged_wording_stays_in_the_report_under_what_it_joined(app, client, tokens,
                                                                 event):
    """A duplicate merged into another group's recommendation is listed under it, with its
    group and wording, in Word and PDF; an amended one offers no second "Adopt"."""
    import io

    from docx import Document
    from pypdf import PdfReader

    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1, wg2 = event["groups"][0]["id"], event["groups"][1]["id"]
    keep = client.post(f"{base}/groups/{wg1}/recommendations", headers=org, json={
        "title": "Joint trainings", "text": "Police and NGOs train together.",
        "status": "adopted"}).json
    twin = client.post(f"{base}/groups/{wg2}/recommendations", headers=org, json={
        "title": "Shared training days", "text": "Twice a year, in each region.",
        "status": "proposed"}).json
    third = client.post(f"{base}/groups/{wg2}/recommendations", headers=org, json={
        "title": "Regional workshops", "text": "", "status": "proposed"}).json
    assert client.patch(f"{base}/recommendations/{twin['id']}", headers={
        **org, "If-Match": '"1"'}, json={"status": "merged", "merged_into_id": keep["id"]}
        ).status_code == 200
    assert client.patch(f"{base}/recommendations/{third['id']}", headers={
        **org, "If-Match": '"1"'}, json={"status": "merged", "merged_into_id": twin["id"]}
        ).status_code == 200
    document = Document(io.BytesIO(client.get(f"{base}/report.docx", headers=org).data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Merged into it: Shared training days (WG2)\nTwice a year, in each region." in text
    assert "Merged into it: Regional workshops (WG2)" in text  # through the chain
    pdf = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(
        client.get(f"{base}/report.pdf", headers=org).data)).pages)
    assert "Merged into it: Shared training days (WG2) Twice a year, in each region." in pdf

    amended = client.patch(f"{base}/recommendations/{keep['id']}", headers={
        **org, "If-Match": '"1"'}, json={"status": "amended", "text": "Twice a year."})
    assert amended.status_code == 200
    with app.test_client() as browser:
        from tests.support.http import csrf

        form = browser.get("/sign-in").get_data(as_text=True)
        browser.post("/sign-in", data={"token": tokens["organizer"], "csrf_token": csrf(form)})
        html = browser.get(f"/events/{event['id']}/plenary").get_data(as_text=True)
    card = html[html.index(f'id="r{keep["id"]}"'):]
    card = card[:card.index("</article>")]
    assert "Amended" in card and "Adopt <span" not in card and "Drop <span" in card


def test_the_pdf_report_says_what_the_word_document_says(app, client, tokens, event):
    import io

    from pypdf import PdfReader

    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    wg1 = event["groups"][0]["id"]
    for title, status in (("Joint trainings for police and NGOs", "adopted"),
                          ("Something dropped", "dropped")):
        client.post(f"{base}/groups/{wg1}/recommendations", headers=org,
                    json={"title": title, "status": status})
    client.post(f"{base}/participants", headers=org, json={
        "full_name": "Erika Mustermann", "email": "erika@example.org",
        "organization": "Ministry", "sector": "government", "consent": True})
    r = client.get(f"{base}/report.pdf", headers=org)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text().split()) for page in
                    PdfReader(io.BytesIO(r.data)).pages)
    assert "Joint trainings for police and NGOs" in text and "Something dropped" not in text
    assert "Structured Cooperation" in text and "1 participant registered; no check-in" in text
    assert "Erika" not in text and "erika@example.org" not in text


def test_facilitators_write_on_their_page_and_see_both_texts_when_they_collide(
        app, client, tokens, event):
    import re

    from allocator.services.tokens import create_token
    from tests.support.http import csrf, sign_in

    wg1 = event["groups"][0]["id"]
    with app.app_context():
        token = create_token("facilitator", "WG1 page", event["id"], wg1)
    anna, ben = app.test_client(), app.test_client()
    for browser in (anna, ben):
        signed = sign_in(browser, token)
        assert signed.status_code == 302
    home = anna.get("/", follow_redirects=True)
    assert f"/groups/{wg1}/recommendations" in home.request.path
    page = home.get_data(as_text=True)
    assert "WG1" in page and "Structured Cooperation" in page
    assert anna.get(f"/events/{event['id']}/groups/{event['groups'][1]['id']}"
                    "/recommendations").status_code == 403

    added = anna.post(f"/events/{event['id']}/groups/{wg1}/recommendations",
                      data={"csrf_token": csrf(page), "title": "", "text": "No title"})
    assert added.status_code == 422 and "Please correct" in added.get_data(as_text=True)
    added = anna.post(f"/events/{event['id']}/groups/{wg1}/recommendations",
                      data={"csrf_token": csrf(page), "title": "Joint training",
                            "text": "Police and NGOs together.", "status": "proposed"},
                      follow_redirects=True)
    assert "is saved" in added.get_data(as_text=True)
    rid = int(re.search(r'id="r(\d+)"', added.get_data(as_text=True)).group(1))

    # Both read version 1; Anna saves first, Ben's save shows both texts, keeps Anna's.
    ben_page = ben.get(f"/events/{event['id']}/groups/{wg1}/recommendations").get_data(
        as_text=True)
    url = f"/events/{event['id']}/recommendations/{rid}"
    saved = anna.post(url, data={"csrf_token": csrf(page), "version": "1",
                                 "title": "Joint training", "text": "Anna's wording."})
    assert saved.status_code == 302
    clash = ben.post(url, data={"csrf_token": csrf(ben_page), "version": "1",
                                "title": "Joint training", "text": "Ben's wording."})
    html = clash.get_data(as_text=True)
    assert clash.status_code == 409 and "Someone else changed this" in html
    assert "Anna&#39;s wording." in html and "Ben&#39;s wording." in html
    stored = client.get(f"/api/events/{event['id']}/recommendations/{rid}",
                        headers=bearer(tokens["organizer"])).json
    assert stored["text"] == "Anna's wording." and stored["version"] == 2
