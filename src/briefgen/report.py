"""Findings -> text, JSON, SARIF 2.1.0 or GitHub workflow annotations. Returns strings."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from itertools import groupby

from briefgen import __version__
from briefgen.findings import RULES, Finding

FORMATS = ("text", "json", "sarif", "github")
# control characters (ESC, newlines, C1, line separators) in names or text from content:
# shown escaped, so no file name or sentence can forge a finding line or drive a terminal
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: str) -> str:
    """``text`` with every control character written as its escape (``\\x1b``)."""
    return _CONTROL_RE.sub(lambda m: repr(m.group())[1:-1], text)


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def as_json(
    findings: Sequence[Finding], summary: dict[str, int], extra: Mapping[str, object]
) -> str:
    document: dict[str, object] = {
        "version": 1,
        "summary": summary,
        "findings": [f.to_dict() for f in findings],
    }
    document.update(extra)
    return json.dumps(document, indent=2, ensure_ascii=False)


def as_text(
    findings: Sequence[Finding],
    summary: dict[str, int],
    style: Callable[..., str] | None = None,
) -> str:
    """``path:line:col: severity rule: message`` with the sentence, grouped by file."""
    paint = style or _plain
    lines: list[str] = []
    for file, group in groupby(findings, key=lambda f: f.file):
        lines.append(paint(visible(file), bold=True, underline=True))
        for f in group:
            lines.append(finding_line(f, paint))
            if f.text and f.rule in _SHOWN:
                lines.append(paint(f"    {visible(_shorten(f.text))}", dim=True))
        lines.append("")
    lines.append(summary_line(summary))
    return "\n".join(lines)


#: rules whose text (the sentence, the statement, the term) the text report shows
_SHOWN = ("uncited-claim", "terminology", "expired-statement", "stale-statement")


def _plain(text: str, **_: object) -> str:
    return text


def finding_line(f: Finding, style: Callable[..., str] | None = None) -> str:
    """One finding on one line: ``path:line:col: severity rule: message``."""
    colour = "red" if f.severity == "error" else "yellow"
    label = (style or _plain)(f"{f.severity} {f.rule}", fg=colour, bold=True)
    return f"{visible(f.file)}:{f.line}:{f.column}: {label}: {visible(f.message)}"


def summary_line(summary: dict[str, int]) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    return (
        f"{n(summary['sections'], 'section')}, {n(summary['claims'], 'claim')} "
        f"({summary['cited']} cited, {summary['uncited']} uncited): "
        f"{n(summary['errors'], 'error')}, {n(summary['warnings'], 'warning')}"
    )


def as_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    out = []
    for f in findings:
        level = "error" if f.severity == "error" else "warning"
        message = _gh_escape(visible(f"{f.rule}: {f.message}" + (f" — {f.text}" if f.text else "")))
        out.append(
            f"::{level} file={_gh_prop(visible(f.file))},line={f.line},col={f.column},"
            f"title={_gh_prop(f.rule)}::{message}"
        )
    return "\n".join(out)


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_escape(text).replace(":", "%3A").replace(",", "%2C")


def as_sarif(findings: Sequence[Finding]) -> str:
    rules = sorted(RULES)
    index = {r: i for i, r in enumerate(rules)}
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "briefgen",
                        "version": __version__,
                        "rules": [
                            {
                                "id": r,
                                "shortDescription": {"text": RULES[r][1]},
                                "defaultConfiguration": {"level": RULES[r][0]},
                            }
                            for r in rules
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    {
                        "ruleId": f.rule,
                        "ruleIndex": index[f.rule],
                        "level": f.severity,
                        "message": {"text": f.message + (f": {f.text}" if f.text else "")},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": f.file},
                                    "region": {"startLine": f.line, "startColumn": f.column},
                                }
                            }
                        ],
                    }
                    for f in findings
                ],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _shorten(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
