"""Logs that never hold a key: personal-link secrets are cut out of logged paths."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_LINK = re.compile(r"^/i/[^/?#]*")


def redact_path(path: str) -> str:
    """A request path fit for a log: ``/i/<secret>…`` becomes ``/i/[link]…``."""
    return _LINK.sub("/i/[link]", path)


class RedactingLogger(Logger):
    """gunicorn's logger whose access log shows personal links without their secret."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        """gunicorn's access-log atoms, with the path (U) and request line (r) redacted."""
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms.get("U", ""))
        if "r" in atoms:
            atoms["r"] = re.sub(r" /i/[^/?# ]*", " /i/[link]", atoms["r"])
        return atoms
