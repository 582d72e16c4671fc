"""Hostile bodies and query strings: always a problem document, never a 500, nothing stored.

The JSON layer is fuzzed with hypothesis (lone surrogates, deep nesting, huge numbers,
NaN, duplicate keys, byte-order marks, random bytes) on every route that reads a body;
unknown query parameters are tried on every route.
"""

from __future__ import annotations

import io
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.jsonbody import MAX_DEPTH, MAX_NUMBER_DIGITS, InvalidJson, loads
from tests.conftest import bearer, person
from tests.support.workshop import post_csv
from tests.support.writes import api_writes

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))

# --- the JSON layer on its own ------------------------------------------------------


def test_the_strict_loader_names_what_is_wrong():
    cases = {
        '{"full_name": "a\\ud800"}': "unpaired UTF-16 surrogate",
        "[" * 1000 + "]" * 1000: f"deeper than {MAX_DEPTH}",
        '{"n": ' + "9" * 5000 + "}": f"more than {MAX_NUMBER_DIGITS} digits",
        '{"n": NaN}': "NaN is not a JSON value",
        '{"n": -Infinity}': "-Infinity is not a JSON value",
        '{"n": 1e999}': "too large",
        '{"a": 1, "a": 2}': "appears twice",
        "{bad": "line 1, column 2",
        b"\xff\xfe{}": "not UTF-8",
    }
    for raw, words in cases.items():
        try:
            loads(raw)
        except InvalidJson as exc:
            assert words in str(exc), (raw[:20], str(exc))
        else:
            raise AssertionError(f"accepted {raw[:30]!r}")
    # what RFC 8259 allows stays allowed: a BOM, escaped pairs, deep enough nesting
    assert loads(b"\xef\xbb\xbf" + json.dumps({"name": "Żółć 😀"}).encode()) == {
        "name": "Żółć 😀"}
    assert loads('"\\ud83d\\ude00"') == "😀"
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert loads('{"s": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')  # brackets in strings


hostile_json = st.one_of(
    # strings with lone surrogates, escaped as a JSON encoder would send them
    st.dictionaries(st.sampled_from(["full_name", "email", "note", "name", "x"]),
                    st.text(alphabet=st.characters(categories=["Cs", "Lu", "Nd"]),
                            min_size=1, max_size=8), min_size=1, max_size=3).map(
        lambda d: json.dumps(d, ensure_ascii=True)),
    st.integers(min_value=MAX_DEPTH + 1, max_value=3000).map(
        lambda n: '{"preferences": ' + "[" * n + "]" * n + "}"),
    st.integers(min_value=MAX_NUMBER_DIGITS + 1, max_value=8000).map(
        lambda n: '{"capacity": ' + "7" * n + "}"),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400"]).map(
        lambda c: '{"time_limit_s": ' + c + "}"),
    st.sampled_from(["full_name", "kind", "capacity"]).map(
        lambda k: '{"' + k + '": "a", "' + k + '": "b"}'),
    st.builds(lambda body: "\ufeff" + json.dumps(body), st.dictionaries(
        st.text(max_size=5), st.one_of(st.none(), st.integers(), st.text(max_size=5)),
        max_size=3)),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
)


@given(raw=hostile_json)
@FUZZ
def test_the_loader_never_fails_any_other_way(raw):
    try:
        loads(raw)
    except InvalidJson:
        pass


def test_hostile_bodies_are_problems_on_every_route(app, client, tokens, world):
    """Every API route that reads JSON, fed hostile bodies: 400/409/422, never a 500."""
    org = bearer(tokens["organizer"])
    routes = [(m, url) for (m, _), (url, kw) in sorted(api_writes(world).items())
              if "json" in kw] + [("POST", "/api/events")]
    seen: set[int] = set()

    @given(raw=hostile_json, route=st.sampled_from(routes))
    @FUZZ
    def send(raw, route):
        method, url = route
        r = client.open(url, method=method, data=raw.encode("utf-8", "surrogatepass"),
                        headers={**org, "Content-Type": "application/json"})
        assert r.status_code < 500, (url, raw[:80], r.data[:300])
        seen.add(r.status_code)
        if r.status_code >= 400:
            assert r.content_type == "application/problem+json"
            assert r.json["detail"]
        if r.status_code == 400:
            assert r.json["detail"].startswith("The request body is not valid JSON: ")

    send()
    assert 400 in seen


def test_the_reported_examples(client, tokens, world):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{world['event_id']}"
    for url in (f"{base}/participants", "/api/events", f"{base}/rules"):
        for raw in ('{"full_name": "a\\ud800"}', "[" * 1000 + "]" * 1000,
                    '{"x": ' + "1" * 5000 + "}"):
            r = client.post(url, data=raw, headers={**org, "Content-Type": "application/json"})
            assert r.status_code == 400, (url, raw[:20], r.status_code)
    total = client.get(f"{base}/participants", headers=org).json["total"]
    assert total == 3


# --- query strings -----------------------------------------------------------------

def _api_routes(app, world):
    values = {"event_id": world["event_id"], "participant_id": world["participant_id"],
              "group_id": world["group_id"], "rule_id": world["rule_id"],
              "run_id": world["draft_run_id"], "key": "t",
              "recommendation_id": world["recommendation_id"], "member_id": 1,
              "token_id": 1, "item_id": 1, "request_id": 1}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule.startswith(("/api/docs",
                                                                       "/api/openapi")):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


@given(name=st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True))
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_unknown_query_parameters_are_refused_on_every_route(app, client, tokens, world,
                                                            name):
    known = {"q", "sector", "status", "role", "theme", "sort", "page", "per_page",
             "dry_run", "force", "columns", "run", "action"}
    if name in known:
        return
    org = bearer(tokens["organizer"])
    before = client.get(f"/api/events/{world['event_id']}/participants", headers=org).json
    for method, url in _api_routes(app, world):
        r = client.open(f"{url}?{name}=1", method=method, headers=org, json={})
        assert r.status_code == 422, (method, url, r.status_code)
        assert name in r.json["errors"] and name in r.json["detail"]
    after = client.get(f"/api/events/{world['event_id']}/participants", headers=org).json
    assert after["total"] == before["total"]


def test_a_misspelt_dry_run_imports_nothing(client, tokens, world):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{world['event_id']}"
    csv_file = ("full_name,email,organization,sector,consent\r\n"
                "A B,ab@example.org,X,government,yes\r\n")
    r = post_csv(client, {"id": world["event_id"]}, tokens["organizer"], csv_file,
                 query="?dryrun=1")
    assert r.status_code == 422 and "dryrun" in r.json["errors"]
    assert "dry_run" in r.json["detail"]  # the detail names what the address takes
    listed = client.get(f"{base}/participants?staus=withdrawn", headers=org)
    assert listed.status_code == 422 and "staus" in listed.json["errors"]
    assert client.get(f"{base}/participants?q=A+B", headers=org).json["total"] == 0


def test_the_desk_search_keeps_its_known_parameters(client, tokens, world):
    desk = bearer(tokens["desk"])
    r = client.get(f"/api/events/{world['event_id']}/participants?q=third&status=registered"
                   "&page=1&per_page=10&sort=-name", headers=desk)
    assert r.status_code == 200 and r.json["total"] == 1


def test_person_bodies_still_register(client, tokens, world):
    r = client.post(f"/api/events/{world['event_id']}/participants",
                    headers=bearer(tokens["desk"]),
                    data=("\ufeff" + json.dumps(person(email="bom@example.org",
                                                       preferences=[]))).encode(),
                    content_type="application/json")
    assert r.status_code == 201, r.json


def test_ids_no_event_can_have_are_recorded_as_no_event(client, tokens):
    """Found by the stateful schemathesis run: a wrong token on /api/events/2**63/... made
    the audit insert fail (500) instead of answering 401."""
    huge = 2**63
    wrong = client.post(f"/api/events/{huge}/allocations", json={},
                        headers=bearer("alc_" + "1" * 12 + "_" + "z" * 30))
    assert wrong.status_code == 401
    right = client.post(f"/api/events/{huge}/allocations", json={},
                        headers=bearer(tokens["organizer"]))
    assert right.status_code == 404


def test_a_pathological_string_is_refused_in_linear_time():
    """An unterminated string of escaped quotes made the depth pre-scan quadratic: 1 MB
    held a worker until gunicorn killed it. Now the parser refuses it at once."""
    import threading

    raw = '"' + '\\"' * 524_000
    outcome: list[str] = []

    def parse():
        try:
            loads(raw)
        except InvalidJson as exc:
            outcome.append(str(exc))

    worker = threading.Thread(target=parse, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert outcome and "unterminated string" in outcome[0]


def test_a_parameter_given_twice_or_a_stray_form_field_is_refused(client, tokens, world):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{world['event_id']}"
    csv_file = ("full_name,email,organization,sector,consent\r\n"
                "A B,ab@example.org,X,government,yes\r\n")
    twice = post_csv(client, {"id": world["event_id"]}, tokens["organizer"], csv_file,
                     query="?dry_run=false&dry_run=true")
    assert twice.status_code == 422 and "dry_run" in twice.json["errors"]
    stray = client.post(f"{base}/participants/import", headers=org,
                        content_type="multipart/form-data",
                        data={"file": (io.BytesIO(csv_file.encode()), "p.csv"), "dry_run": "1"})
    assert stray.status_code == 422 and "dry_run" in stray.json["errors"]
    assert "query" in stray.json["detail"]
    two_files = client.post(f"{base}/participants/import", headers=org,
                            content_type="multipart/form-data",
                            data={"file": [(io.BytesIO(csv_file.encode()), "a.csv"),
                                           (io.BytesIO(csv_file.encode()), "b.csv")]})
    assert two_files.status_code == 422
    assert client.get(f"{base}/participants?q=A+B", headers=org).json["total"] == 0
    assert client.get(f"{base}/participants?status=registered&status=withdrawn",
                      headers=org).status_code == 422


def test_out_of_range_ids_are_404_before_anything_is_stored(client, tokens):
    for path in ("/api/events/3000000000/participants",
                 "/api/events/99999999999999999999/participants"):
        r = client.post(path, json=person(), headers={
            **bearer(tokens["desk"]), "Idempotency-Key": "huge-1"})
        assert r.status_code == 404, (path, r.status_code)
        assert r.content_type == "application/problem+json"


def test_noncharacters_never_reach_a_workbook(client, tokens, world):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{world['event_id']}"
    r = client.post(f"{base}/participants", headers=org, json=person(
        full_name="Evil\uffffName\ufdd0", email="nonchar@example.org", preferences=["t"]))
    assert r.status_code == 201 and r.json["full_name"] == "EvilName"
    run = client.post(f"{base}/allocations", json={}, headers=org).json
    client.post(f"{base}/allocations/{run['id']}/publish", headers=org)
    book = client.get(f"{base}/groups.xlsx", headers=org)
    import openpyxl

    names = [row[4] for sheet in openpyxl.load_workbook(io.BytesIO(book.data)).worksheets
             for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "EvilName" in names


def test_api_addresses_answer_in_http_not_html(client, tokens):
    org = bearer(tokens["organizer"])
    doubled = client.get("/api//events", headers=org)
    assert doubled.status_code == 404 and doubled.content_type == "application/problem+json"
    options = client.options("/api/events", headers=org)
    assert options.status_code == 204 and not options.data
    assert "GET" in options.headers["Allow"]


def test_digits_that_are_not_ascii_are_refused_in_every_field_that_takes_a_number(
        app, client, tokens, world):
    """"²" and "٣" are digits to str.isdigit() but not numbers int() reads: every form
    field, header and query that takes a number refuses them in words, never a 500."""
    from tests.support.http import csrf, sign_in

    e, pid = world["event_id"], world["participant_id"]
    rid = world["recommendation_id"]
    stale = client.patch(f"/api/events/{e}/recommendations/{rid}",
                         headers={**bearer(tokens["organizer"]), "If-Match": '"²"'},
                         json={"text": "x"})
    assert stale.status_code == 412 and "If-Match" in stale.json["detail"]
    browser = app.test_client()
    sign_in(browser, tokens["organizer"])
    token = csrf(browser.get(f"/events/{e}/plenary").get_data(as_text=True))
    for digits in ("²", "٣", "１"):
        for url, form in (
                (f"/events/{e}/runs/{world['draft_run_id']}/move",
                 {"participant_id": f"Someone — X · #{pid}", "group_id": digits}),
                (f"/events/{e}/invitations/send", {"participant_id": digits}),
                (f"/events/{e}/recommendations/{rid}", {
                    "version": "1", "status": "merged", "merged_into_id": digits,
                    "back": "plenary"})):
            r = browser.post(url, data={**form, "csrf_token": token})
            assert r.status_code in (302, 303, 409, 422), (url, digits, r.status_code)
        assert browser.get(f"/events/{e}/badges.pdf?group={digits}").status_code == 404
    merged = browser.post(f"/events/{e}/recommendations/{rid}", data={
        "csrf_token": token, "version": "1", "status": "merged", "merged_into_id": "²",
        "back": "plenary"})
    assert "Say which recommendation this one is merged into." in merged.get_data(
        as_text=True)
