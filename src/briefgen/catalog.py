"""What a project holds: briefs and sections, for `briefgen list` (text or JSON)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from briefgen.check import CheckResult
from briefgen.dated import SOON_DAYS, expiring
from briefgen.markup import classes_used
from briefgen.model import Project


def catalog(project: Project, result: CheckResult, today: dt.date) -> dict[str, Any]:
    stale_after = project.config.stale_after_days
    briefs = []
    for name, brief in sorted(project.briefs.items()):
        stats = result.briefs.get(name)
        briefs.append(
            {
                "name": name,
                "file": brief.rel,
                "title": brief.title,
                "audience": brief.audience,
                "sections": list(brief.sections),
                "marking": stats.marking if stats else None,
                "words": stats.words if stats else None,
                "reading_grade": stats.reading_grade if stats else None,
            }
        )
    sections = []
    for sid, section in sorted(project.sections.items()):
        age = (today - section.reviewed).days if section.reviewed else None
        scan = result.scans.get(sid)
        sections.append(
            {
                "id": sid,
                "file": section.rel,
                "title": section.title,
                "marking": section.marking,
                "audiences": list(section.audiences),
                "owner": section.owner,
                "reviewed": section.reviewed.isoformat() if section.reviewed else None,
                "stale": bool(stale_after and (age is None or age > stale_after)),
                "claims": sum(1 for s in scan.sentences if s.status == "claim") if scan else 0,
                "used_by": [
                    b for b, brief in sorted(project.briefs.items()) if sid in brief.sections
                ],
            }
        )
    classes = classes_used(result.scans.values())
    return {
        "briefs": briefs,
        "sections": sections,
        "classes": dict(sorted(classes.items())),
        "expiring": expiring(project, result.scans, today),
    }


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def as_text(data: dict[str, Any]) -> str:
    lines = ["Briefs"]
    rows: list[tuple[str, ...]] = [
        (b["name"], b["audience"], str(len(b["sections"])), b["marking"] or "?", str(b["words"]))
        for b in data["briefs"]
    ]
    lines += _table(("brief", "audience", "sections", "marking", "words"), rows)
    lines += ["", "Sections"]
    rows = [
        (
            s["id"],
            s["marking"],
            ",".join(s["audiences"]),
            s["owner"] or "-",
            (s["reviewed"] or "never") + (" (stale)" if s["stale"] else ""),
            s["title"],
        )
        for s in data["sections"]
    ]
    lines += _table(("section", "marking", "audiences", "owner", "reviewed", "title"), rows)
    used = ", ".join(f"{name} ({n})" for name, n in data["classes"].items()) or "none"
    lines += ["", f"Classes used on divs and spans: {used}"]
    lines += ["", f"Statements that expire within {SOON_DAYS} days, or have expired"]
    rows = [
        (s["until"], _when(s["days"]), f"{s['file']}:{s['line']}", _shorten(s["text"]))
        for s in data["expiring"]
    ]
    lines += _table(("until", "when", "where", "statement"), rows) if rows else ["none"]
    return "\n".join(lines)


def _when(days: int) -> str:
    """How long a statement dated until= has left: it holds on its until= day itself."""
    if days < 0:
        return f"expired ({-days} day{'' if days == -1 else 's'} past)"
    if days == 0:
        return "last day today"
    return f"{days} day{'' if days == 1 else 's'} left"


def _shorten(text: str, width: int = 72) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 1].rstrip() + "…"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header).rstrip(), *(fmt.format(*r).rstrip() for r in rows)]
