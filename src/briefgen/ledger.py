"""The claim ledger, the bibliography report and the difference between two briefs.

A claim's id is stable across edits elsewhere in its file: it hashes the section id, the
sentence text and how many identical sentences precede it, not its line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from briefgen.bibliography import Bibliography, Entry, missing_fields
from briefgen.check import CheckResult
from briefgen.evidence.report import coverage, evidence_cell, evidence_rows
from briefgen.model import Brief, Project
from briefgen.rules.audiences import included

CSV_FIELDS = (
    "id", "file", "line", "column", "section", "where", "status", "keys", "text", "evidence",
)  # fmt: skip


@dataclass(frozen=True)
class LedgerRow:
    id: str  # stable claim id: <section>-<8 hex digits>
    file: str
    line: int
    column: int
    section: str
    where: str  # body, summary or footnote
    status: str  # cited, uncited, unknown-key, exempt-judgment, exempt-recommendation ...
    keys: tuple[str, ...]
    text: str
    # each cited source's best passage (briefgen.evidence): key, source, page, passage, score
    evidence: tuple[dict[str, Any], ...] = ()


def claim_id(section: str, text: str, occurrence: int) -> str:
    normal = " ".join(text.split()).lower()
    digest = hashlib.sha1(f"{section}\0{normal}\0{occurrence}".encode()).hexdigest()[:8]
    return f"{section}-{digest}"


def ledger(project: Project, result: CheckResult, briefs: Sequence[Brief] = ()) -> list[LedgerRow]:
    """One row per sentence of the sections the briefs include (all sections if none)."""
    known = result.bibliography.keys
    audiences = {b.audience for b in briefs} or None
    wanted = [sid for b in briefs for sid in b.sections] if briefs else sorted(result.scans)
    rows: list[LedgerRow] = []
    for sid in dict.fromkeys(wanted):
        scan = result.scans.get(sid)
        section = project.sections.get(sid)
        if scan is None or section is None:
            continue
        seen: Counter[str] = Counter()
        for s in scan.sentences:
            normal = " ".join(s.text.split()).lower()
            occurrence = seen[normal]
            seen[normal] += 1
            if not included(s.blocks, scan, audiences):
                continue
            if s.status != "claim":
                status = s.status
            elif not s.keys:
                status = "uncited"
            elif any(k in known for k in s.keys):
                status = "cited"
            else:
                status = "unknown-key"
            rows.append(
                LedgerRow(
                    claim_id(sid, s.text, occurrence),
                    section.rel,
                    s.line,
                    s.column,
                    sid,
                    s.where,
                    status,
                    s.keys,
                    s.text,
                    evidence_rows(result.evidence.claims.get((section.rel, s.line, s.column))),
                )
            )
    return rows


def ledger_csv(rows: Sequence[LedgerRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for r in rows:
        writer.writerow(
            [
                r.id,
                _cell(r.file),
                r.line,
                r.column,
                _cell(r.section),
                r.where,
                r.status,
                _cell(" ".join(r.keys)),
                _cell(r.text),
                _cell(evidence_cell(r.evidence)),
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run: one starting with = + - @ (or a tab or
    carriage return) is a formula to Excel and LibreOffice, so it gets a leading quote,
    as OWASP advises for CSV exports."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def ledger_json(rows: Sequence[LedgerRow]) -> str:
    return json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False)


# --------------------------------------------------------------------------- refs


def references(project: Project, result: CheckResult, bib: Bibliography) -> dict[str, Any]:
    """Each entry: which sections cite it and how often, missing fields, title words that
    print in lower case (its `title-case` finding), verification note."""
    uses: dict[str, Counter[str]] = {key: Counter() for key in bib.entries}
    cases = _messages(bib, "title-case")
    for sid, scan in result.scans.items():
        for use in scan.citations:
            uses.setdefault(use.key, Counter())[sid] += 1
    entries = [
        _reference(key, entry, uses.get(key, Counter()), cases.get(entry.line))
        for key, entry in sorted(bib.entries.items())
    ]
    unknown = sorted(k for k in uses if k not in bib.entries and uses[k])
    return {
        "entries": entries,
        "unused": [e["key"] for e in entries if not e["citations"]],
        "cited_once": [e["key"] for e in entries if e["citations"] == 1],
        "missing_fields": _keys_with(entries, "missing"),
        "title_case": _keys_with(entries, "title_case"),
        "unknown_keys": unknown,
        "source_texts": coverage(result.evidence, _cited(uses)),
    }


def _cited(uses: dict[str, Counter[str]]) -> list[str]:
    return [key for key, sections in uses.items() if sections]


def _messages(bib: Bibliography, rule: str) -> dict[int, str]:
    """The messages of the bibliography's findings of this rule, by the entry's line."""
    return {f.line: f.message for f in bib.findings if f.rule == rule}


def _keys_with(entries: list[dict[str, Any]], name: str) -> list[str]:
    return [e["key"] for e in entries if e[name]]


def _reference(
    key: str, entry: Entry, cited: Counter[str], title_case: str | None
) -> dict[str, Any]:
    """One entry of the report: ``cited`` counts its citations by section; ``title_case``
    is the message of its `title-case` finding, if it has one."""
    return {
        "key": key,
        "type": entry.type,
        "title": _plain(entry.fields.get("title", "")),
        "year": entry.fields.get("year") or entry.fields.get("date", "")[:4],
        "line": entry.line,
        "citations": sum(cited.values()),
        "sections": dict(sorted(cited.items())),
        "missing": " and ".join(missing_fields(entry.fields)) or None,
        "title_case": title_case,
        "note": _plain(entry.fields["note"]) if "note" in entry.fields else None,
    }


def references_text(report: dict[str, Any]) -> str:
    lines = []
    for e in report["entries"]:
        where = ", ".join(f"{s} ({n})" for s, n in e["sections"].items()) or "UNUSED"
        lines.append(f"{e['key']}  [{e['citations']}]  {e['title']} ({e['year']})")
        lines.append(f"    cited in: {where}")
        if e["missing"]:
            lines.append(f"    lacks: {e['missing']}")
        if e["title_case"]:
            lines.append(f"    title case: {e['title_case']}")
        if e["note"]:
            lines.append(f"    note: {e['note']}")
    lines.append("")
    total = len(report["entries"])
    lines.append(
        f"{total} entries: {len(report['unused'])} unused, {len(report['cited_once'])} cited "
        f"once, {len(report['missing_fields'])} missing fields, "
        f"{len(report['title_case'])} with title words printed in lower case, "
        f"{len(report['unknown_keys'])} unknown keys cited"
    )
    for label in ("unused", "cited_once", "unknown_keys"):
        if report[label]:
            lines.append(f"{label.replace('_', ' ')}: {', '.join(report[label])}")
    texts = report["source_texts"]
    lines.append(
        f"source texts: {texts['with_text']} of {texts['cited']} cited keys have one "
        "(sources/<key>.md|.txt|.pdf|.html or a file field)"
    )
    if texts["without_text"] and texts["with_text"]:
        lines.append(f"no source text: {', '.join(texts['without_text'])}")
    return "\n".join(lines)


def _plain(text: str) -> str:
    return re.sub(r"[{}]", "", " ".join(text.split()))


# --------------------------------------------------------------------------- diff


def diff(project: Project, result: CheckResult, a: Brief, b: Brief) -> dict[str, Any]:
    """What brief A includes that brief B lacks, and the reverse: sections and claims."""
    rows_a = {r.id: r for r in ledger(project, result, [a])}
    rows_b = {r.id: r for r in ledger(project, result, [b])}

    def only(x: dict[str, LedgerRow], y: dict[str, LedgerRow]) -> list[dict[str, Any]]:
        return [
            {"id": r.id, "section": r.section, "line": r.line, "text": r.text}
            for key, r in x.items()
            if key not in y
        ]

    return {
        "a": {"brief": a.name, "audience": a.audience},
        "b": {"brief": b.name, "audience": b.audience},
        "sections_only_in_a": [s for s in a.sections if s not in b.sections],
        "sections_only_in_b": [s for s in b.sections if s not in a.sections],
        "claims_only_in_a": only(rows_a, rows_b),
        "claims_only_in_b": only(rows_b, rows_a),
    }


def diff_text(d: dict[str, Any]) -> str:
    a, b = d["a"]["brief"], d["b"]["brief"]
    lines = []
    for side, other, key in ((a, b, "a"), (b, a, "b")):
        sections = d[f"sections_only_in_{key}"]
        claims = d[f"claims_only_in_{key}"]
        lines.append(f"In {side}, not in {other}: {len(sections)} sections, {len(claims)} claims")
        for sid in sections:
            lines.append(f"  section {sid}")
        for c in claims:
            if c["section"] not in sections:
                lines.append(f"  {c['section']}:{c['line']}  {c['text']}")
        lines.append("")
    return "\n".join(lines).rstrip()
