"""Logs that never hold a key: personal-link secrets are cut out of logged paths."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_LINK = re.compile(r"^/i/[^/?#]*")
# A personal link's secret is 43 URL-safe characters; any such run, wherever it stands in
# a path (//i/…, /I/…, /./i/…, a mistyped API address), is cut out.
_SECRET = re.compile(r"[A-Za-z0-9_-]{32,}")


def redact_path(path: str | None) -> str:
    """A request path fit for a log: ``/i/<secret>…`` becomes ``/i/[link]…`` and any other
    run of 32 or more URL-safe characters ``[secret]``. Never fails (None gives "")."""
    return _SECRET.sub("[secret]", _LINK.sub("/i/[link]", path or ""))


class RedactingLogger(Logger):
    """gunicorn's logger whose access log shows personal links without their secret."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        """gunicorn's access-log atoms, with the path (U) and request line (r) redacted."""
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms.get("U"))
        if isinstance(atoms.get("r"), str):
            atoms["r"] = _SECRET.sub("[secret]", re.sub(r" /i/[^/?# ]*", " /i/[link]",
                                                        atoms["r"]))
        return atoms
