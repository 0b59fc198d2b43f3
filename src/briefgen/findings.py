"""Findings: what a check reports. Shared by every stage that can find a problem."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

#: Every rule briefgen knows, with its severity and a one-line description (for SARIF
#: and the README). Severity belongs to the rule, so no caller can get it wrong.
RULES: dict[str, tuple[Severity, str]] = {
    "uncited-claim": ("error", "A sentence of prose carries no citation."),
    "ambiguous-boundary": (
        "error",
        "A full stop may or may not end a sentence, and one side would carry no citation.",
    ),
    "markup": (
        "error",
        "Audience or exemption markup briefgen does not understand: a misspelt class, "
        "audience attributes without .audience, a fence never closed or read as text.",
    ),
    "unknown-key": ("error", "A citation names a key that is not in the bibliography."),
    "cross-reference": (
        "error",
        "A @fig-id or @tbl-id names no figure or table in the project's sections.",
    ),
    "bib-parse-error": ("error", "A bibliography entry cannot be read."),
    "bib-file": (
        "error",
        "The bibliography cannot be used: larger than briefgen reads, or not a regular file.",
    ),
    "bib-duplicate-key": ("error", "A bibliography key is defined twice."),
    "image-alt": ("error", "An image has no alt text (PDF/UA-1 needs it)."),
    "bib-missing-field": ("warning", "An entry lacks author/editor, title, or year/date."),
    "title-case": (
        "warning",
        "A capitalised word of a title (or subtitle, series ...) will print in lower case: "
        "pandoc sentence-cases English BibTeX titles, so brace a word whose capital must "
        "stay ({Nations}).",
    ),
    "unused-reference": ("warning", "A bibliography entry is cited by no section."),
    "front-matter": ("error", "A section's front matter is missing or malformed."),
    "section-file": ("error", "A section file has a bad name or cannot be read as UTF-8."),
    "brief-file": ("error", "A brief file is missing a field or malformed."),
    "unknown-section": ("error", "A brief names a section that does not exist."),
    "orphan-section": ("warning", "A section is in no brief: no reader sees it."),
    "placeholder": ("warning", "A field still holds the value `briefgen new` wrote for it."),
    "unknown-audience": ("error", "An audience name is not defined in briefgen.yaml."),
    "audience-block": ("error", "An audience block names no audience or a bad marking."),
    "link-definition": (
        "error",
        "A link label defined in one section is defined or used in another: in a brief "
        "they share one document.",
    ),
    "audience-excluded": ("error", "A brief includes a section not allowed for its audience."),
    "marking-exceeds-audience": ("error", "A brief's marking is above its audience's ceiling."),
    "word-budget": ("warning", "A brief is longer than its audience's word budget."),
    "reading-level": ("warning", "A brief reads above its audience's reading level."),
    "terminology": ("warning", "A discouraged term is used; the preferred one is given."),
    "raw-content": (
        "error",
        "Raw LaTeX/Typst/HTML in a section (allow_raw is off), or a link, image or attribute "
        "that could carry code into an output or reach outside the project.",
    ),
    "templates-not-used": (
        "warning",
        "The project has a templates/ directory, but briefgen.yaml does not opt in to it "
        "(templates are code: templates: templates/).",
    ),
    "invisible-character": (
        "error",
        "An invisible character (U+200B ZERO WIDTH SPACE ...) in or right after a citation key.",
    ),
    "invisible-text": ("warning", "An invisible character elsewhere in a section."),
    "dated-attribute": (
        "error",
        "A dated statement briefgen cannot read: a malformed or impossible date, no until= "
        "or as-of=, another attribute, a date without the dated class, until before as-of.",
    ),
    "expired-statement": (
        "warning",
        "A dated statement's until= date is past on the brief's date (today, for the project).",
    ),
    "stale-statement": (
        "warning",
        "A dated statement's as-of= date is older than stale_after_days.",
    ),
    "unsupported-figure": (
        "error",
        "A figure in a claim (number, percentage, amount, date, range) is in the text of none "
        "of the sources cited for it.",
    ),
    "weak-support": (
        "warning",
        "The best passage of every source cited for a claim scores below the support threshold.",
    ),
    "pinpoint-mismatch": (
        "warning",
        "A pinpoint (p. 12, art. 5) points away from the passage that best supports the claim.",
    ),
    "missing-source-text": (
        "error",
        "A cited key has no source text, and briefgen.yaml sets require_source_text: true.",
    ),
    "source-file": (
        "error",
        "A source text cannot be used: outside the project, too large, not a type briefgen "
        "reads, or malformed.",
    ),
    "unknown-source": ("warning", "A file in sources/ is named after no bibliography key."),
}


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # project-relative POSIX path
    line: int  # 1-based, counting front matter
    column: int  # 1-based, in characters
    rule: str
    message: str
    text: str = ""  # the sentence or source text concerned, when there is one

    @property
    def severity(self) -> Severity:
        return RULES[self.rule][0]

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "text": self.text,
        }


def count(findings: Iterable[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity == severity)


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``name``, or None when nothing is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or '' when nothing is close."""
    close = closest(name, choices)
    return f" (did you mean '{close}'?)" if close else ""
