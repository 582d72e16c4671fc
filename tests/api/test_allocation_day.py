"""The organisers' day: import, rules, allocate, report, move, publish, download."""

from __future__ import annotations

import csv
import io
import threading
import time

import openpyxl
import pytest
from sqlalchemy import select

from allocator.extensions import db
from allocator.models import AuditEntry
from tests.conftest import YEAR, bearer, person
from tests.support.workshop import people_csv

SECTORS = ["government", "parliament", "private_sector", "civil_society", "media", "academia",
           "international_organization"]
THEMES = ["structured-cooperation", "information-sharing", "non-traditional-stakeholders"]
PAYLOADS = ["=HYPERLINK(\"http://x\",\"y\")", "+41 22", "-cmd", "@SUM(A1)", "\tTab"]




@pytest.fixture
def day(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    r = client.post(f"{base}/participants/import", headers=org,
                    content_type="multipart/form-data",
                    data={"file": (io.BytesIO(people_csv()), "people.csv")})
    assert r.status_code == 201, r.json
    ids = r.json["participant_ids"]
    return {"base": base, "org": org, "ids": ids, "groups": [g["id"] for g in event["groups"]],
            "event": event}


def add_rule(client, day, **body):
    return client.post(f"{day['base']}/rules", json=body, headers=day["org"])


def test_the_organisers_day(app, client, tokens, day):
    base, org, ids, groups = day["base"], day["org"], day["ids"], day["groups"]
    # rules
    pin = add_rule(client, day, kind="pin", participant_id=ids[20], group_id=groups[2])
    assert pin.status_code == 201 and pin.headers["Location"].endswith(str(pin.json["id"]))
    assert add_rule(client, day, kind="apart", participant_id=ids[21],
                    other_id=ids[22]).status_code == 201
    assert add_rule(client, day, kind="together", participant_id=ids[24],
                    other_id=ids[23]).status_code == 201
    assert len(client.get(f"{base}/rules", headers=org).json) == 3

    # allocate
    r = client.post(f"{base}/allocations", json={"time_limit_s": 20}, headers=org)
    assert r.status_code == 201, r.json
    run = r.json
    assert run["status"] == "succeeded" and run["solver_status"] in ("optimal", "feasible")
    proven = {s["name"]: s["status"] for s in run["stages"]}
    assert proven["balance"] == proven["worst_rank"] == proven["rank_sum"] == "optimal"
    assert run["people"] == 80 and run["inputs_hash"] and run["ortools_version"]
    assert run["triggered_by"] == "test-organizer"
    assert run["objective"]["balance"] == 0
    assert r.headers["Location"] == f"{base}/allocations/{run['id']}"

    # report: everyone once, one facilitator per group, rules honoured, reasons
    report = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    where = {m["participant_id"]: g["id"] for g in report["groups"] for m in g["members"]}
    assert sorted(where) == sorted(ids)
    assert all(len(g["facilitators"]) == 1 for g in report["groups"])
    assert where[ids[20]] == groups[2]
    assert where[ids[21]] != where[ids[22]] and where[ids[23]] == where[ids[24]]
    for g in report["groups"]:
        for figures in g["sectors"].values():
            assert figures["min"] <= figures["count"] <= figures["max"]
    off_first = [m for g in report["groups"] for m in g["members"]
                 if m["unlisted"] or (m["rank"] is not None and m["rank"] > 1)]
    assert {p["participant_id"] for p in report["reasons"]} == {
        m["participant_id"] for m in off_first}
    assert report["ranks"]["counts"]

    # move: a rule refuses it, then a free move succeeds with its warnings
    pinned = client.patch(f"{base}/allocations/{run['id']}/assignments/{ids[20]}",
                          json={"group_id": groups[0]}, headers=org)
    assert pinned.status_code == 409 and pinned.json["rules"] == ["pin"]
    mover = next(m for g in report["groups"] for m in g["members"]
                 if m["role"] == "participant" and m["participant_id"] not in ids[20:25])
    target = next(g for g in groups if g != where[mover["participant_id"]])
    moved = client.patch(f"{base}/allocations/{run['id']}/assignments/"
                         f"{mover['participant_id']}", json={"group_id": target}, headers=org)
    assert moved.status_code == 200, moved.json
    assert moved.json["group_id"] == target and isinstance(moved.json["warnings"], list)
    again = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
    assert again["edited"] is True
    moved_row = next(m for g in again["groups"] if g["id"] == target for m in g["members"]
                     if m["participant_id"] == mover["participant_id"])
    assert moved_row["moved_by_organiser"] is True

    # desk sees nothing before publishing, the group and room after
    desk = bearer(tokens["desk"])
    assert client.get(f"{base}/participants/{ids[20]}", headers=desk).json["group"] is None
    published = client.post(f"{base}/allocations/{run['id']}/publish", headers=org)
    assert published.status_code == 200 and published.json["published"] is True
    seen = client.get(f"{base}/participants/{ids[20]}", headers=desk).json["group"]
    assert seen["id"] == groups[2] and seen["room"] == "Room 3"
    listed = client.get(f"{base}/participants?per_page=500", headers=desk).json["items"]
    assert all(p["group"] is not None for p in listed)
    late = client.patch(f"{base}/allocations/{run['id']}/assignments/{ids[30]}",
                        json={"group_id": groups[0]}, headers=org)
    assert late.status_code == 409

    # downloads, as a viewer: CSV of all groups
    viewer = bearer(tokens["viewer"])
    r = client.get(f"{base}/groups.csv", headers=viewer)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    raw = r.data
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert "filename=" in r.headers["Content-Disposition"]
    assert "Building-the-Bridges" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Group", "Theme", "Room", "Facilitator", "Full name", "Organisation",
                       "Sector", "Country"]
    body = rows[1:]
    assert len(body) == 80
    assert len({r[4] for r in body}) == 80
    assert "Łukasz Przykładowy" in {r[4] for r in body}
    assert "Nguyễn Văn Mẫu" in {r[4] for r in body}
    assert sum(1 for r in body if r[3] == "yes") == 3
    # nobody here agreed to show their organisation: a viewer sees none (staff see all)
    assert {r[5] for r in body} == {""}
    staff = client.get(f"{base}/groups.csv", headers=org)
    staff_rows = list(csv.reader(io.StringIO(staff.data.decode("utf-8-sig"), newline="")))
    for row in staff_rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    orgs = {r[5] for r in staff_rows[1:]}
    assert "'=HYPERLINK(\"http://x\",\"y\")" in orgs and "'+41 22" in orgs and "'@SUM(A1)" in orgs

    # one group, chosen columns, e-mail only for organisers
    one = client.get(f"{base}/groups/{groups[2]}.csv?columns=full_name,group", headers=viewer)
    one_rows = list(csv.reader(io.StringIO(one.data.decode("utf-8-sig"), newline="")))
    assert one_rows[0] == ["Full name", "Group"]
    assert len(one_rows) - 1 == sum(1 for g in where.values() if g == groups[2]) + (
        1 if target == groups[2] else 0) - (1 if where[mover["participant_id"]] == groups[2]
                                            else 0)
    assert client.get(f"{base}/groups.csv?columns=full_name,email",
                      headers=viewer).status_code == 403
    with_mail = client.get(f"{base}/groups.csv?columns=full_name,email", headers=org)
    assert with_mail.status_code == 200 and b"person0@example.org" in with_mail.data
    bad = client.get(f"{base}/groups.csv?columns=shoe_size", headers=viewer)
    assert bad.status_code == 422 and "columns" in bad.json["errors"]

    # the same lists as one workbook for facilitators: an "All" sheet, then a sheet per
    # group; a title row (event, group, room, time), a frozen header row with filters,
    # columns fitted; every cell a string exactly as entered, marked with quotePrefix
    x = client.get(f"{base}/groups.xlsx", headers=viewer)
    assert x.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(x.data))
    assert book.sheetnames == ["All", "WG1", "WG2", "WG3"]
    names = []
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][0].startswith("Building the Bridges")
        assert values[1][4] == "Full name"
        assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
        assert sheet.column_dimensions["E"].width > len("Full name")
        if sheet.title != "All":
            assert sheet.title in values[0][0] and "Room" in values[0][0]
            names += [row[4] for row in values[2:]]
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                assert cell.data_type in ("s", "inlineStr") and cell.quotePrefix
    all_rows = list(book["All"].iter_rows(min_row=3, values_only=True))
    assert sorted(r[4] for r in all_rows) == sorted(names) == sorted(r[4] for r in body)
    assert {r[6] for r in all_rows} <= {"Government", "Civil society", "Private sector",
                                        "Academia", "Media", "Parliament",
                                        "International organisation"}
    assert {row[5] for row in all_rows} == {None}
    staff_book = openpyxl.load_workbook(io.BytesIO(
        client.get(f"{base}/groups.xlsx", headers=org).data))
    workbook_orgs = {row[5] for row in staff_book["All"].iter_rows(min_row=3, values_only=True)}
    assert {"=HYPERLINK(\"http://x\",\"y\")", "+41 22", "@SUM(A1)"} <= workbook_orgs

    # who downloaded what is recorded, with ids and not names
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "grouplist.downloaded")).all()
        assert {e.actor for e in entries} >= {"test-viewer", "test-organizer"}
        assert all("Person" not in str(e.details) for e in entries)


def test_late_arrivals_with_stable_move_nobody_without_a_reason(client, tokens, day):
    base, org = day["base"], day["org"]
    first = client.post(f"{base}/allocations", json={}, headers=org).json
    client.post(f"{base}/allocations/{first['id']}/publish", headers=org)
    before = client.get(f"{base}/allocations/{first['id']}/report", headers=org).json
    placed = {m["participant_id"]: g["id"] for g in before["groups"] for m in g["members"]}
    desk = bearer(tokens["desk"])
    for n in range(5):
        r = client.post(f"{base}/participants", headers=desk, json=person(
            email=f"late{n}@example.org", full_name=f"Late Comer {n}",
            sector=SECTORS[n % len(SECTORS)], preferences=[THEMES[n % 3]]))
        assert r.status_code == 201
        assert r.json["group"] is None
    r = client.post(f"{base}/allocations", json={"stable": True}, headers=org)
    assert r.status_code == 201, r.json
    second = r.json
    assert second["stable"] is True and second["people"] == 85
    report = client.get(f"{base}/allocations/{second['id']}/report", headers=org).json
    after = {m["participant_id"]: g["id"] for g in report["groups"] for m in g["members"]}
    moved = {pid for pid, g in placed.items() if after[pid] != g}
    explained = {m["participant_id"]: m for m in report["moves"]}
    assert set(explained) == moved
    for pid in moved:
        assert explained[pid]["rules"] and "none" not in explained[pid]["rules"]
        assert explained[pid]["from_group_id"] == placed[pid]
    assert second["objective"]["moves"] == len(moved)


def test_a_confirmed_hand_move_lasts_through_stable_re_runs(client, tokens, day):
    """A move that stretches a sector band is the organiser's decision: a stable re-run
    keeps it (it used to move the person back, "because moving back would break a rule")
    and says which moves it kept; so does the next re-run."""
    base, org = day["base"], day["org"]
    first = client.post(f"{base}/allocations", json={}, headers=org).json
    report = client.get(f"{base}/allocations/{first['id']}/report", headers=org).json
    moves = []
    for group in report["groups"]:  # stretch a band: move people of one sector away
        others = [g["id"] for g in report["groups"] if g["id"] != group["id"]]
        for member in group["members"]:
            if member["role"] == "participant" and len(moves) < 3:
                r = client.patch(f"{base}/allocations/{first['id']}/assignments/"
                                 f"{member['participant_id']}",
                                 json={"group_id": others[0]}, headers=org)
                if r.status_code == 200:
                    moves.append((member["participant_id"], others[0]))
    assert moves
    client.post(f"{base}/allocations/{first['id']}/publish", headers=org)
    desk = bearer(tokens["desk"])
    for n in range(4):
        client.post(f"{base}/participants", headers=desk, json=person(
            email=f"late{n}@example.org", full_name=f"Late Comer {n}",
            sector=SECTORS[n % len(SECTORS)], preferences=[THEMES[n % 3]]))
    for _ in range(2):  # and again from the re-run, once it is published
        r = client.post(f"{base}/allocations", json={"stable": True}, headers=org)
        assert r.status_code == 201, r.json
        run = r.json
        assert sorted((m["participant_id"], m["group_id"]) for m in run["kept_moves"]) == \
            sorted(moves)
        after = client.get(f"{base}/allocations/{run['id']}/report", headers=org).json
        where = {m["participant_id"]: (g["id"], m["moved_by_organiser"])
                 for g in after["groups"] for m in g["members"]}
        for pid, group_id in moves:
            assert where[pid] == (group_id, True)
        assert not {m["participant_id"] for m in after["moves"]} & {pid for pid, _ in moves}
        client.post(f"{base}/allocations/{run['id']}/publish", headers=org)


def test_stable_needs_something_published(client, day):
    r = client.post(f"{day['base']}/allocations", json={"stable": True}, headers=day["org"])
    assert r.status_code == 422 and "stable" in r.json["errors"]


def test_checked_in_only_leaves_no_shows_out(client, tokens, day):
    base, org, ids = day["base"], day["org"], day["ids"]
    for pid in ids[:3] + ids[3:40]:
        client.post(f"{base}/participants/{pid}/check-in", headers=bearer(tokens["desk"]))
    r = client.post(f"{base}/allocations", json={"include": ["checked_in"]}, headers=org)
    assert r.status_code == 201 and r.json["people"] == 40
    assert r.json["include"] == ["checked_in"]
    bad = client.post(f"{base}/allocations", json={"include": ["registered"]}, headers=org)
    assert bad.status_code == 422


def test_infeasible_rules_are_a_422_with_reasons_and_a_failed_run(client, day):
    """Rules that clash among themselves are refused when made (test_rules_clash_...);
    a room made smaller afterwards is found when the allocation runs, named."""
    base, org, ids, groups = day["base"], day["org"], day["ids"], day["groups"]
    for n in (30, 31, 32):
        assert add_rule(client, day, kind="pin", participant_id=ids[n],
                        group_id=groups[0]).status_code == 201
    for other in groups[1:]:
        client.patch(f"{base}/groups/{other}", json={"capacity": 60}, headers=org)
    assert client.patch(f"{base}/groups/{groups[0]}", json={"capacity": 2, "min_size": 0},
                        headers=org).status_code == 200
    r = client.post(f"{base}/allocations", json={}, headers=org)
    assert r.status_code == 422 and r.content_type == "application/problem+json"
    names = [client.get(f"{base}/participants/{ids[n]}", headers=org).json["full_name"]
             for n in (30, 31, 32)]
    chains = [c["message"] for c in r.json["conflicts"] if c.get("rules")]
    # a minimal set: two of the pins, the room, and the facilitator it must also seat
    assert any(sum(name in message for name in names) == 2 and "WG1 holds at most 2" in message
               and "facilitator" in message for message in chains), r.json["conflicts"]
    assert f"participant {ids[30]}" not in r.json["detail"]
    runs = client.get(f"{base}/allocations", headers=org).json
    assert runs[0]["status"] == "failed" and runs[0]["solver_status"] == "infeasible"
    assert client.post(f"{base}/allocations/{runs[0]['id']}/publish",
                       headers=org).status_code == 409


def test_rules_are_checked_against_the_event(client, tokens, day):
    base, ids, groups = day["base"], day["ids"], day["groups"]
    org = day["org"]
    other = client.post("/api/events", headers=org, json={
        "name": "Other", "starts_at": f"{YEAR}-02-14T09:00:00Z",
        "ends_at": f"{YEAR}-02-14T10:00:00Z"}).json
    stranger = client.post(f"/api/events/{other['id']}/participants", headers=org,
                           json=person(email="stranger@example.org", preferences=[])).json
    cases = [
        ({"kind": "pin", "participant_id": stranger["id"], "group_id": groups[0]}, 422),
        ({"kind": "pin", "participant_id": ids[0]}, 422),
        ({"kind": "pin", "participant_id": ids[0], "group_id": 999999}, 422),
        ({"kind": "apart", "participant_id": ids[0]}, 422),
        ({"kind": "apart", "participant_id": ids[0], "other_id": ids[0]}, 422),
        ({"kind": "together", "participant_id": ids[0], "other_id": stranger["id"]}, 422),
        ({"kind": "swap", "participant_id": ids[0], "other_id": ids[1]}, 422),
    ]
    for body, status in cases:
        r = client.post(f"{base}/rules", json=body, headers=org)
        assert r.status_code == status, (body, r.json)
    assert add_rule(client, day, kind="apart", participant_id=ids[1],
                    other_id=ids[0]).status_code == 201
    dup = add_rule(client, day, kind="together", participant_id=ids[0], other_id=ids[1])
    assert dup.status_code == 409 and "apart" in dup.json["detail"]
    assert add_rule(client, day, kind="pin", participant_id=ids[2],
                    group_id=groups[0]).status_code == 201
    assert add_rule(client, day, kind="pin", participant_id=ids[2],
                    group_id=groups[1]).status_code == 409
    assert client.get(f"{base}/rules", headers=bearer(tokens["desk"])).status_code == 403
    rule = client.get(f"{base}/rules", headers=org).json[0]
    assert client.delete(f"{base}/rules/{rule['id']}", headers=org).status_code == 204
    assert client.get(f"{base}/rules/{rule['id']}", headers=org).status_code == 404


def test_groups_in_use_are_not_deleted(client, day):
    base, org, ids, groups = day["base"], day["org"], day["ids"], day["groups"]
    add_rule(client, day, kind="pin", participant_id=ids[5], group_id=groups[1])
    r = client.delete(f"{base}/groups/{groups[1]}", headers=org)
    assert r.status_code == 409 and "pin" in r.json["detail"]
    run = client.post(f"{base}/allocations", json={}, headers=org).json
    r = client.delete(f"{base}/groups/{groups[0]}", headers=org)
    assert r.status_code == 409 and r.json["runs"] == [run["id"]]
    assert client.delete(f"{base}/allocations/{run['id']}", headers=org).status_code == 204
    assert client.delete(f"{base}/groups/{groups[0]}", headers=org).status_code == 204


def test_nothing_published_means_no_lists(client, tokens, day):
    r = client.get(f"{day['base']}/groups.csv", headers=bearer(tokens["viewer"]))
    assert r.status_code == 404 and "published" in r.json["detail"]
    run = client.post(f"{day['base']}/allocations", json={}, headers=day["org"]).json
    draft = client.get(f"{day['base']}/groups.csv?run={run['id']}",
                       headers=bearer(tokens["viewer"]))
    assert draft.status_code == 403
    assert client.get(f"{day['base']}/groups.csv?run={run['id']}",
                      headers=day["org"]).status_code == 200


def test_two_triggers_at_once_make_one_run(app, tokens, day, monkeypatch):
    from allocator.services import allocation

    real = allocation.solve

    def slow(problem):
        time.sleep(1.0)
        return real(problem)

    monkeypatch.setattr(allocation, "solve", slow)
    barrier = threading.Barrier(2)
    results = []

    def trigger():
        client = app.test_client()
        barrier.wait()
        r = client.post(f"{day['base']}/allocations", json={}, headers=day["org"])
        results.append((r.status_code, r.json))

    threads = [threading.Thread(target=trigger) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(code for code, _ in results) == [201, 409]
    refused = next(body for code, body in results if code == 409)
    assert "already running" in refused["detail"]
    runs = app.test_client().get(f"{day['base']}/allocations", headers=day["org"]).json
    assert len(runs) == 1 and runs[0]["status"] == "succeeded"


def test_abandoned_run_is_marked_failed_and_frees_the_event(app, client, day):
    import datetime as dt

    from sqlalchemy import update

    from allocator.models import AllocationRun
    from allocator.services import allocation

    with app.test_request_context():
        from allocator.services.events import get_event

        run = allocation.start_run(get_event(day["event"]["id"]),
                                   {"include": ["registered", "checked_in"]})
        run_id = run.id
    r = client.post(f"{day['base']}/allocations", json={}, headers=day["org"])
    assert r.status_code == 409
    with app.app_context():
        db.session.execute(update(AllocationRun).where(AllocationRun.id == run_id).values(
            deadline_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        db.session.commit()
    r = client.post(f"{day['base']}/allocations", json={}, headers=day["org"])
    assert r.status_code == 201
    old = client.get(f"{day['base']}/allocations/{run_id}", headers=day["org"]).json
    assert old["status"] == "failed" and "abandoned" in old["error"]


def test_cli_allocates_publishes_and_exports(app, runner, day, tmp_path):
    event_id = day["event"]["id"]
    result = runner.invoke(args=["allocate", str(event_id), "--publish"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("run 1: ") and "published" in result.output
    assert "80 people" in result.output
    out = runner.invoke(args=["export-groups", str(event_id), "-o", str(tmp_path / "lists")])
    assert out.exit_code == 0, out.output
    files = sorted(p.name for p in (tmp_path / "lists").iterdir())
    assert len(files) == 5 and any(f.endswith(".xlsx") for f in files)
    everything = next(p for p in (tmp_path / "lists").iterdir()
                      if p.name.endswith("group lists.csv"))
    rows = list(csv.reader(io.StringIO(everything.read_text("utf-8-sig"), newline="")))
    assert len(rows) == 81
    missing = runner.invoke(args=["allocate", "9999"])
    assert missing.exit_code != 0 and "not found" in missing.output


def test_rules_that_clash_are_refused_when_made_with_the_chain_in_names(client, day):
    """Two pins to one group for people kept apart were both accepted, and the allocation
    failed later. The second rule is now refused at once, naming everyone involved."""
    base, org, ids, groups = day["base"], day["org"], day["ids"], day["groups"]
    names = {n: client.get(f"{base}/participants/{ids[n]}", headers=org).json["full_name"]
             for n in (40, 41, 42)}
    assert add_rule(client, day, kind="apart", participant_id=ids[40],
                    other_id=ids[41]).status_code == 201
    assert add_rule(client, day, kind="pin", participant_id=ids[40],
                    group_id=groups[1]).status_code == 201
    refused = add_rule(client, day, kind="pin", participant_id=ids[41], group_id=groups[1])
    assert refused.status_code == 422 and refused.json["type"] == "/problems/rules-clash"
    message = refused.json["conflicts"][0]["message"]
    assert names[40] in message and names[41] in message and "WG2" in message
    assert "group_id" in refused.json["errors"]
    # a chain through a pair: 42 goes with 41, and 41 may not be with 40 (pinned to WG2)
    assert add_rule(client, day, kind="together", participant_id=ids[41],
                    other_id=ids[42]).status_code == 201
    chained = add_rule(client, day, kind="pin", participant_id=ids[42], group_id=groups[1])
    assert chained.status_code == 422
    chain = chained.json["conflicts"][0]
    assert [r["rule"] for r in chain["rules"]] == ["pin", "apart", "together", "pin"]
    assert all(names[n] in chain["message"] for n in (40, 41, 42))
    assert len(client.get(f"{base}/rules", headers=org).json) == 3
    run = client.post(f"{base}/allocations", json={}, headers=org)
    assert run.status_code == 201


@pytest.mark.parametrize("limit", [0.1, 0.15])
def test_a_time_limit_shorter_than_the_first_answer_is_refused_in_words(client, day, limit):
    """A limit the engine could not keep (shorter than a first complete answer of this many
    people needs) is refused before anything is stored, saying the shortest it keeps."""
    base, org = day["base"], day["org"]
    r = client.post(f"{base}/allocations", json={"time_limit_s": limit}, headers=org)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    words = r.json["errors"]["time_limit_s"][0]
    assert words.startswith("At least 0.2 seconds for 80 people: a first complete allocation")
    assert r.json["detail"] == words
    assert client.get(f"{base}/allocations", headers=org).json == []
    enough = client.post(f"{base}/allocations", json={"time_limit_s": 0.2}, headers=org)
    assert enough.status_code == 201 and enough.json["status"] == "succeeded", enough.json


def test_an_allocation_larger_than_the_server_places_is_refused_in_words(app, client, day):
    """The engine's time promise is measured up to ALLOCATION_MAX_PEOPLE; a larger run is
    refused before anything is stored, and allocating fewer (those checked in) works."""
    base, org = day["base"], day["org"]
    app.config["ALLOCATION_MAX_PEOPLE"] = 79
    r = client.post(f"{base}/allocations", json={}, headers=org)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    words = r.json["errors"]["include"][0]
    assert words.startswith("This allocation would place 80 people; this server places at "
                            "most 79 at once") and r.json["detail"] == words
    assert client.get(f"{base}/allocations", headers=org).json == []
    app.config["ALLOCATION_MAX_PEOPLE"] = 80
    assert client.post(f"{base}/allocations", json={}, headers=org).status_code == 201


@pytest.mark.parametrize(("limit", "words"), [
    (-5, "The time limit is a positive number of seconds, such as 30."),
    (0, "The time limit is a positive number of seconds, such as 30."),
    (500, "The time limit is a number of seconds up to 120, such as 30."),
])
def test_time_limits_outside_the_servers_range_are_refused_in_words(client, day, limit,
                                                                    words):
    r = client.post(f"{day['base']}/allocations", json={"time_limit_s": limit},
                    headers=day["org"])
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.json["errors"]["time_limit_s"] == [words]


def test_a_run_never_leaves_out_in_silence_whom_the_roles_or_rules_need(client, tokens, day):
    """Facilitators not scanned, a person pinned, one of a pair kept together: a
    checked-in-only run is refused naming each and what needs them; going ahead without
    exactly those people is a choice the run keeps and shows as a warning."""
    base, org, ids = day["base"], day["org"], day["ids"]
    desk = bearer(tokens["desk"])
    for pid in ids[3:40]:  # everyone but the three facilitators and the rest arrives
        assert client.post(f"{base}/participants/{pid}/check-in", headers=desk
                           ).status_code == 200
    group = day["event"]["groups"][1]
    assert add_rule(client, day, kind="pin", participant_id=ids[40],
                    group_id=group["id"]).status_code == 201
    assert add_rule(client, day, kind="together", participant_id=ids[5],
                    other_id=ids[41]).status_code == 201
    r = client.post(f"{base}/allocations", json={"include": ["checked_in"]}, headers=org)
    assert r.status_code == 422, r.json
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json["type"].endswith("/problems/needed-people-left-out")
    assert r.json["without"] == sorted([*ids[:3], ids[40], ids[41]])
    needs = {(e["participant_id"], e["needed_for"]) for e in r.json["left_out"]}
    assert needs == {(ids[0], "facilitator"), (ids[1], "facilitator"),
                     (ids[2], "facilitator"), (ids[40], "pin"), (ids[41], "together")}
    assert "Łukasz Przykładowy: registered as a facilitator, not checked in." in r.json["detail"]
    assert f"pinned to {group['name']}" in r.json["detail"]
    assert "kept together with Person 05" in r.json["detail"]
    assert client.get(f"{base}/allocations", headers=org).json == []  # no run was made

    # Naming only some of them is not enough: the others are named again.
    partly = client.post(f"{base}/allocations", headers=org, json={
        "include": ["checked_in"], "without": ids[:3]})
    assert partly.status_code == 422 and partly.json["without"] == [ids[40], ids[41]]

    run = client.post(f"{base}/allocations", headers=org, json={
        "include": ["checked_in"], "without": r.json["without"]})
    assert run.status_code == 201, run.json
    assert {e["participant_id"] for e in run.json["left_out"]} == set(r.json["without"])
    report = client.get(f"{base}/allocations/{run.json['id']}/report", headers=org).json
    placed = {m["participant_id"] for g in report["groups"] for m in g["members"]}
    assert not placed & set(r.json["without"])
    assert any(e["message"] == "Łukasz Przykładowy: registered as a facilitator, not checked "
               "in." for e in report["left_out"])

    # Everyone included: nobody is left out, nothing to confirm.
    everyone = client.post(f"{base}/allocations", headers=org, json={})
    assert everyone.status_code == 201 and not everyone.json["left_out"]


def test_the_organiser_can_grant_work_to_the_mix(app, client, day):
    """Issue 28: the spread stages cost no more than the preference stages unless the
    organiser asks; ``mix_s`` grants the exact spread model work (at most a twentieth of
    the time limit), and the run's problem records it."""
    from allocator.models import AllocationRun

    base, org = day["base"], day["org"]
    bad = client.post(f"{base}/allocations", json={"mix_s": -1}, headers=org)
    assert bad.status_code == 422 and "mix_s" in str(bad.json)
    r = client.post(f"{base}/allocations", json={"time_limit_s": 20, "mix_s": 1},
                    headers=org)
    assert r.status_code == 201, r.json
    stages = {s["name"]: s for s in r.json["stages"]}
    organisation = stages["organization"]
    assert organisation["status"] == "optimal" or "exact" in organisation["detail"]
    with app.app_context():
        run = db.session.get(AllocationRun, r.json["id"])
        assert run.problem["mix_s"] == 1
