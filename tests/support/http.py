"""HTTP helpers: the bearer header, a valid registration body, the demo event's fields,
and signing in to the pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

# Next February: an event that has not happened yet, so well inside its retention period.
YEAR = dt.date.today().year + 1
EVENT = {
    "name": "Building the Bridges",
    "starts_at": f"{YEAR}-02-15T09:30:00",
    "ends_at": f"{YEAR}-02-15T12:30:00",
    "timezone": "Europe/Vienna",
    "venue": "Vienna International Centre",
}
THEMES = [
    {"key": "structured-cooperation", "title": "Structured Cooperation"},
    {"key": "information-sharing", "title": "Information Sharing"},
    {"key": "non-traditional-stakeholders", "title": "Non-Traditional Stakeholders"},
]


def bearer(token: str) -> dict[str, str]:
    """Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def person(**fields: Any) -> dict[str, Any]:
    """A valid registration body, with ``fields`` overriding the defaults."""
    body = {
        "full_name": "Erika Mustermann",
        "email": "erika@example.org",
        "organization": "Ministry of the Interior",
        "sector": "government",
        "country": "AT",
        "gender": "female",
        "preferences": ["information-sharing", "structured-cooperation"],
        "consent": True,
    }
    body.update(fields)
    return body


def csrf(html: str) -> str:
    """The CSRF token of a page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client: Any, token: str) -> Any:
    """Sign in to the pages with ``token`` (the sign-in form, as a browser sends it)."""
    page = client.get("/sign-in").get_data(as_text=True)
    return client.post("/sign-in", data={"token": token, "csrf_token": csrf(page)})


def personal_link(app: Any, participant_id: int) -> str:
    """A fresh personal link's path (``/i/<secret>``) for the participant, as e-mail would
    carry it."""
    from allocator.extensions import db
    from allocator.models import Participant
    from allocator.services.invitations import new_link

    with app.app_context():
        url = new_link(db.session.get(Participant, participant_id))
        db.session.commit()
    return url[url.index("/i/"):]
