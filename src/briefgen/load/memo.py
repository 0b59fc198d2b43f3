"""Sections' front matter as last read without a problem, kept under ``.briefgen-cache/``.

An adapter around :func:`briefgen.load.sections.parse_section`, entered from
:func:`briefgen.load.load_project` only; the loading code knows nothing of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from briefgen.findings import Finding
from briefgen.load.sections import SectionFile, parse_section
from briefgen.model import Section


class FrontMatterMemo:
    """Sections' front matter as last read without a problem, keyed by the front matter's
    text, the audiences defined and briefgen's code, under ``.briefgen-cache/``: loading
    1,000 sections then parses only the front matters that changed. (A front matter with a
    problem is always parsed again, so its findings carry their lines.)"""

    FILE = "front-matter-1.json"

    def __init__(self, root: Path, audiences: Iterable[str]) -> None:
        from briefgen.cache import CACHE_DIR, code_identity, read_entry

        self.path = root / CACHE_DIR / self.FILE
        self.salt = f"{code_identity()}\0{sorted(audiences)}\0"
        self.old: dict[str, list[Any]] = {}
        payload = read_entry(self.path)  # signed by this user's key, or a miss
        try:
            stored = json.loads(payload) if payload is not None else None
        except ValueError:
            stored = None
        if isinstance(stored, dict):
            self.old = stored
        self.new: dict[str, list[Any]] = {}

    def _key(self, fm_text: str) -> str:
        return hashlib.sha256((self.salt + fm_text).encode("utf-8")).hexdigest()[:32]

    def get(self, fm_text: str) -> list[Any] | None:
        key = self._key(fm_text)
        row = self.old.get(key)
        if row is not None:
            self.new[key] = row
        return row

    def put(self, fm_text: str, section: Section, fm_offset: int) -> None:
        offset = None if section.summary_offset is None else section.summary_offset - fm_offset
        reviewed = section.reviewed.isoformat() if section.reviewed else None
        self.new[self._key(fm_text)] = [
            section.title,
            section.summary,
            offset,
            section.marking,
            list(section.audiences),
            section.owner,
            reviewed,
        ]

    @staticmethod
    def section(row: list[Any], file: SectionFile) -> Section:
        title, summary, offset, marking, auds, owner, reviewed = row
        return Section(
            id=file.id,
            path=file.path,
            rel=file.rel,
            source=file.source,
            body_offset=file.body_offset,
            title=title,
            summary=summary,
            summary_offset=None if offset is None else file.fm_offset + offset,
            marking=marking,
            audiences=tuple(auds),
            owner=owner,
            reviewed=dt.date.fromisoformat(reviewed) if reviewed else None,
        )

    def parse(
        self, file: SectionFile, audiences: Iterable[str]
    ) -> tuple[Section | None, list[Finding]]:
        """:func:`~briefgen.load.sections.parse_section`, or its result as last stored."""
        row = self.get(file.front_matter)
        if row is not None:
            return self.section(row, file), []
        section, findings = parse_section(file, audiences)
        if section is not None and not findings:
            self.put(file.front_matter, section, file.fm_offset)
        return section, findings

    def save(self) -> None:
        """Keep the entries this load used (so the file never outgrows the project)."""
        if self.new == self.old:
            return
        from briefgen.cache import write_entry

        write_entry(self.path, json.dumps(self.new).encode("utf-8"))
