"""Every write the API takes, with a valid body, for the tests that walk them all."""

from __future__ import annotations

import io

from tests.support.http import YEAR, person

CSV_ROW = (b"full_name,email,organization,sector,consent\r\n"
           b"Late Import,late.import@example.org,Somewhere,government,yes\r\n")


def api_writes(world: dict) -> dict[tuple[str, str], tuple[str, dict]]:
    """A plausible request for every API route that changes data: (method, endpoint) ->
    (url, client.open keyword arguments)."""
    base = f"/api/events/{world['event_id']}"
    pid, gid, draft = world["participant_id"], world["group_id"], world["draft_run_id"]
    return {
        ("PATCH", "events.EventItem"): (base, {"json": {"venue": "Elsewhere"}}),
        ("POST", "themes.ThemeList"): (f"{base}/themes", {"json": {"key": "n", "title": "N"}}),
        ("PATCH", "themes.ThemeItem"): (f"{base}/themes/t", {"json": {"title": "Renamed"}}),
        ("DELETE", "themes.ThemeItem"): (f"{base}/themes/t?force=true", {}),
        ("POST", "groups.GroupList"): (f"{base}/groups", {"json": {
            "name": "G2", "theme": "t", "capacity": 5}}),
        ("PATCH", "groups.GroupItem"): (f"{base}/groups/{gid}", {"json": {"room": "R9"}}),
        ("DELETE", "groups.GroupItem"): (f"{base}/groups/{gid}", {}),
        ("POST", "participants.ParticipantList"): (f"{base}/participants", {
            "json": person(email="written.back@example.org", full_name="Written Back",
                           preferences=[])}),
        ("PATCH", "participants.ParticipantItem"): (f"{base}/participants/{pid}", {
            "json": {"full_name": "Written Back", "email": "written.back@example.org"}}),
        ("DELETE", "participants.ParticipantItem"): (f"{base}/participants/{pid}", {}),
        ("POST", "participants.CheckIn"): (f"{base}/participants/{pid}/check-in", {}),
        ("DELETE", "participants.CheckIn"): (f"{base}/participants/{pid}/check-in", {}),
        ("POST", "participants.Erase"): (f"{base}/participants/{pid}/erase", {}),
        ("POST", "participants.Import"): (f"{base}/participants/import", {
            "content_type": "multipart/form-data",
            "data": {"file": (io.BytesIO(CSV_ROW), "people.csv")}}),
        ("POST", "rules.RuleList"): (f"{base}/rules", {"json": {
            "kind": "pin", "participant_id": pid, "group_id": gid,
            "note": "Written Back asked for this room"}}),
        ("DELETE", "rules.RuleItem"): (f"{base}/rules/{world['rule_id']}", {}),
        ("POST", "allocations.RunList"): (f"{base}/allocations", {"json": {}}),
        ("DELETE", "allocations.RunItem"): (f"{base}/allocations/{draft}", {}),
        ("POST", "allocations.Publish"): (f"{base}/allocations/{draft}/publish", {}),
        ("PATCH", "allocations.Move"): (
            f"{base}/allocations/{draft}/assignments/{pid}", {"json": {"group_id": gid}}),
        ("POST", "late.Place"): (f"{base}/late-arrivals/{pid}/place", {}),
        ("POST", "invitations.Invitations"): (f"{base}/invitations", {"json": {
            "participant_ids": [pid], "resend": True}}),
        ("DELETE", "invitations.Invitation"): (f"{base}/invitations/{pid}", {}),
        ("POST", "invitations.Notifications"): (f"{base}/notifications", {"json": {
            "kind": "groups"}}),
        ("POST", "recommendations.GroupRecommendations"): (
            f"{base}/groups/{gid}/recommendations", {"json": {"title": "Another"}}),
        ("PATCH", "recommendations.RecommendationItem"): (
            f"{base}/recommendations/{world['recommendation_id']}", {"json": {"text": "x"}}),
        ("DELETE", "recommendations.RecommendationItem"): (
            f"{base}/recommendations/{world['recommendation_id']}", {}),
        ("POST", "recommendations.Lock"): (f"{base}/groups/{gid}/recommendations/lock", {}),
        ("DELETE", "recommendations.Lock"): (f"{base}/groups/{gid}/recommendations/lock", {}),
        ("PUT", "recommendations.Order"): (f"{base}/recommendations/order", {"json": {
            "ids": [world["recommendation_id"]]}}),
        ("POST", "report.Release"): (f"{base}/report/release", {}),
        ("POST", "tickets.Ticket"): (f"{base}/participants/{pid}/ticket", {}),
        ("POST", "tickets.CheckIns"): (f"{base}/check-ins", {"json": {
            "code": world["ticket"]}}),
        ("DELETE", "report.Release"): (f"{base}/report/release", {}),
        ("POST", "team.Team"): (f"{base}/team", {"json": {
            "name": "Written Back", "email": "written.back@example.org", "role": "desk"}}),
        ("POST", "team.Link"): (f"{base}/team/1/link", {}),
        ("DELETE", "team.Member"): (f"{base}/team/1", {}),
        ("POST", "team.Tokens"): (f"{base}/tokens", {"json": {
            "name": "written-back", "role": "desk"}}),
        ("DELETE", "team.Token"): (f"{base}/tokens/999", {}),
        ("POST", "programme.Programme"): (f"{base}/programme", {"json": {
            "starts_at": f"{YEAR}-02-15T09:30", "ends_at": f"{YEAR}-02-15T09:40",
            "title": "Written Back", "kind": "talk"}}),
        ("PATCH", "programme.ProgrammeItem"): (f"{base}/programme/1", {"json": {
            "title": "Written Back"}}),
        ("DELETE", "programme.ProgrammeItem"): (f"{base}/programme/1", {}),
        ("PUT", "recommendations.GroupSummary"): (f"{base}/groups/{gid}/summary", {"json": {
            "text": "Written Back"}}),
    }
