"""The project's terminology rules (``terminology:`` in briefgen.yaml): a discouraged term
in a section is a warning at its place, naming the term to use (e.g. CSAM, following the
Luxembourg Terminology Guidelines)."""

from __future__ import annotations

import re
from functools import lru_cache

from briefgen.findings import Finding
from briefgen.model import Project, Section
from briefgen.scan.locate import Locator


def _term_body(avoid: str) -> str:
    """The term's words, any whitespace (line breaks too) between them."""
    return r"\s+".join(re.escape(w) for w in avoid.split())


@lru_cache(maxsize=256)
def _term_pattern(avoid: str) -> re.Pattern[str]:
    """Whole words, case-insensitive."""
    return re.compile(r"(?<![^\W_])" + _term_body(avoid) + r"(?![^\W_])", re.IGNORECASE)


@lru_cache(maxsize=16)
def _any_term(avoid: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every rule, without the word-boundary checks (so it finds a superset,
    three times faster): most files use none of the terms, and one search tells."""
    return re.compile("|".join(map(_term_body, avoid)), re.IGNORECASE)


def terminology_findings(project: Project, section: Section) -> list[Finding]:
    out: list[Finding] = []
    locator: Locator | None = None
    rules = project.config.terminology
    if not rules or not _any_term(tuple(r.avoid for r in rules)).search(section.source):
        return out
    for rule in rules:
        for match in _term_pattern(rule.avoid).finditer(section.source):
            locator = locator or Locator(section.source)
            line, column = locator.position(match.start())
            out.append(
                Finding(
                    section.rel,
                    line,
                    column,
                    "terminology",
                    f"'{' '.join(match.group(0).split())}' is discouraged: use '{rule.prefer}'",
                    match.group(0),
                )
            )
    return out
