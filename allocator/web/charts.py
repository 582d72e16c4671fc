"""Geometry for the server-rendered SVG charts (the templates draw them)."""

from __future__ import annotations

from typing import Any

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
WIDTH = 560


def colours(sectors: list[str]) -> dict[str, str]:
    """A fixed colour per sector, in the event's sector order."""
    return {s: PALETTE[n % len(PALETTE)] for n, s in enumerate(sectors)}


def stacked(counts: dict[str, float], sectors: list[str], palette: dict[str, str],
            width: int = WIDTH) -> list[dict[str, Any]]:
    """Segments of a 100% stacked bar: x, width, colour and a label per sector."""
    total = sum(counts.get(s, 0) for s in sectors)
    segments, x = [], 0.0
    for sector in sectors:
        value = counts.get(sector, 0)
        if not value or not total:
            continue
        w = width * value / total
        segments.append({"sector": sector, "count": value, "x": round(x, 2),
                         "w": round(w, 2), "colour": palette[sector],
                         "share": round(100 * value / total)})
        x += w
    return segments


def sector_mix(report: dict[str, Any], sectors: list[str]) -> dict[str, Any]:
    """Per group its sector mix, beside the whole event's mix."""
    palette = colours(sectors)
    totals: dict[str, float] = {}
    for group in report["groups"]:
        for sector, figures in group["sectors"].items():
            totals[sector] = totals.get(sector, 0) + figures["count"]
    return {
        "palette": palette,
        "event": stacked(totals, sectors, palette),
        "groups": [{"id": g["id"], "name": g["name"],
                    "segments": stacked({s: f["count"] for s, f in g["sectors"].items()},
                                        sectors, palette),
                    "sectors": g["sectors"]} for g in report["groups"]],
        "width": WIDTH,
    }


def rank_bars(counts: dict[str, int], unlisted: int = 0,
              height: int = 115) -> list[dict[str, Any]]:
    """Bars for the rank distribution: label, count, x, height; a last bar for people in a
    theme they did not list (not "choice n+1")."""
    items = [(f"choice {rank}", count)
             for rank, count in sorted(counts.items(), key=lambda kv: int(kv[0]))]
    if unlisted:
        items.append(("not listed", unlisted))
    if not items:
        return []
    peak = max(count for _, count in items) or 1
    bars = []
    for n, (label, count) in enumerate(items):
        h = round(height * count / peak, 1)
        bars.append({"label": label, "count": count, "x": 20 + n * 70, "h": h,
                     "y": height - h + 22})  # room above the tallest bar for its label
    return bars
