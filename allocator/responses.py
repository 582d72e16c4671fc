"""Answers both doors give alike: a file to download."""

from __future__ import annotations

from flask import Response

from allocator.services.exports import content_disposition

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "png": "image/png",
}


def file_response(body: bytes, fmt: str, name: str) -> Response:
    """A download: the body, one exact Content-Type (one charset), and its file name."""
    response = Response(body)
    response.headers["Content-Type"] = CONTENT_TYPES[fmt]
    response.headers["Content-Disposition"] = content_disposition(name)
    return response
