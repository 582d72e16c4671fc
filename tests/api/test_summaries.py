"""Each working group's summary of its discussion (expected output 2), written by its
facilitator, the rapporteur or an organiser, with no lost edits; in the report beside the
group's recommendations, with credits for who led the programme."""

from __future__ import annotations

import re

import pytest

from allocator.access import Principal
from tests.support.documents import text_of
from tests.support.factories import make_event, publish_allocation, register, token
from tests.support.http import bearer, csrf, sign_in


@pytest.fixture
def workshop(app):
    from allocator.services import recommendations
    from allocator.services.events import get_event

    with app.test_request_context():
        event = make_event()
        wg1, wg2 = event["groups"][0], event["groups"][1]
        tokens = {
            "org": token("organizer", "s-organiser"),
            "fac1": token("facilitator", "s-fac1", event["id"], wg1),
            "rapporteur": token("facilitator", "s-rapporteur", event["id"]),
            "desk": token("desk", "s-desk", event["id"]),
        }
        for n in range(6):
            register(event["id"], full_name=f"Anonymous Person {n}", email=f"p{n}@example.org")
        register(event["id"], full_name="Maria Moderator", email="m@example.org",
                 organization="European Commission", duties=["moderator"])
        register(event["id"], full_name="Rita Rapporteur", email="r@example.org",
                 organization="ODIHR/OSCE", duties=["rapporteur", "speaker"])
        publish_allocation(event["id"])
        recommendations.create(get_event(event["id"]), wg1, {
            "title": "A national referral mechanism", "status": "adopted"},
            Principal.system())
    return {**event, "wg1": wg1, "wg2": wg2, **{k: bearer(v) for k, v in tokens.items()},
            "tokens": tokens}


def test_a_group_s_summary_is_written_with_no_lost_edit(client, workshop):
    url = f"/api/events/{workshop['id']}/groups/{workshop['wg1']}/summary"
    empty = client.get(url, headers=workshop["fac1"])
    assert empty.status_code == 200 and empty.json == {
        "group_id": workshop["wg1"], "text": "", "text_html": "", "version": 0,
        "updated_at": None} and empty.headers["ETag"] == '"0"'
    first = client.put(url, headers=workshop["fac1"], json={"text": "We discussed **trust**."})
    assert first.status_code == 200 and first.headers["ETag"] == '"1"'
    assert "<strong>trust</strong>" in first.json["text_html"]
    # once written, a change names the version it was made from
    missing = client.put(url, headers=workshop["rapporteur"], json={"text": "x"})
    assert missing.status_code == 428
    stale = client.put(url, headers={**workshop["rapporteur"], "If-Match": '"0"'},
                       json={"text": "Mine"})
    assert stale.status_code == 412 and stale.json["current"]["text"] == \
        "We discussed **trust**." and stale.headers["ETag"] == '"1"'
    second = client.put(url, headers={**workshop["rapporteur"], "If-Match": '"1"'},
                        json={"text": "We discussed trust and data."})
    assert second.status_code == 200 and second.json["version"] == 2
    # the facilitator of one group writes that group's only; the desk writes none
    other = f"/api/events/{workshop['id']}/groups/{workshop['wg2']}/summary"
    assert client.put(other, headers=workshop["fac1"], json={"text": "x"}).status_code == 403
    assert client.put(other, headers=workshop["desk"], json={"text": "x"}).status_code == 403
    assert client.put(other, headers=workshop["org"], json={"text": "Org wrote"}
                      ).status_code == 200


def test_the_report_holds_each_group_s_summary_and_credits_those_who_led_it(
        client, workshop):
    base = f"/api/events/{workshop['id']}"
    client.put(f"{base}/groups/{workshop['wg1']}/summary", headers=workshop["fac1"],
               json={"text": "The group weighed formal agreements against trust."})
    client.patch(base, headers=workshop["org"], json={"report_summary": "Overall, yes."})
    for fmt in ("pdf", "docx"):
        got = client.get(f"{base}/report.{fmt}", headers=workshop["org"])
        assert got.status_code == 200
        text = " ".join(text_of(got.content_type, got.data).split())
        assert "formal agreements against trust" in text
        assert text.index("A national referral mechanism") < text.index("Discussion in WG1")
        assert "Overall, yes." in text
        assert re.search(r"Moderator: Maria Moderator, European Commission", text)
        assert re.search(r"Rapporteur, Speaker: Rita Rapporteur, ODIHR/OSCE", text)
        assert "Anonymous Person" not in text  # participants stay numbers


def test_the_group_page_saves_the_summary_and_compares_when_someone_was_first(app, client,
                                                                              workshop):
    pages = app.test_client()
    sign_in(pages, workshop["tokens"]["fac1"])
    url = f"/events/{workshop['id']}/groups/{workshop['wg1']}/recommendations"
    page = pages.get(url).get_data(as_text=True)
    assert "Summary of the discussion" in page
    saved = pages.post(f"/events/{workshop['id']}/groups/{workshop['wg1']}/summary",
                       data={"csrf_token": csrf(page), "version": "0", "text": "First."},
                       headers={"Accept": "application/json"})
    assert saved.status_code == 200 and saved.json == {"version": 1}
    # someone else saves meanwhile (the API); the page's next save is not written over it
    client.put(f"/api/events/{workshop['id']}/groups/{workshop['wg1']}/summary",
               headers={**workshop["rapporteur"], "If-Match": '"1"'}, json={"text": "Theirs."})
    late = pages.post(f"/events/{workshop['id']}/groups/{workshop['wg1']}/summary",
                      data={"csrf_token": csrf(page), "version": "1", "text": "Mine."},
                      headers={"Accept": "application/json"})
    assert late.status_code == 409
    compare = pages.post(f"/events/{workshop['id']}/groups/{workshop['wg1']}/summary",
                         data={"csrf_token": csrf(page), "version": "1", "text": "Mine."})
    html = compare.get_data(as_text=True)
    assert compare.status_code == 409 and "Someone else changed this" in html
    assert "Theirs." in html and "Mine." in html
