"""Memos: what the loader and the reading grade learnt last time, kept in the store.

Each is an adapter around a pure function that knows nothing of it: the front-matter memo
around :func:`briefgen.load.sections.parse_section` (entered from
:func:`briefgen.load.load_project`), the syllable memo around
:func:`briefgen.readability.syllables` (entered from the check). Each is one entry, named
by the store's key (so a memo from other code is never read), holding only what the last
run used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from briefgen import readability
from briefgen.cache.codec import BAD, decode_front_matter, dumps, encode_front_matter, loads
from briefgen.cache.store import Store
from briefgen.findings import Finding
from briefgen.load.sections import SectionFile, parse_section
from briefgen.model import Section


class FrontMatterMemo:
    """Sections' front matter as last read without a problem, keyed by the front matter's
    text and the audiences defined: loading 1,000 sections then parses only the front
    matters that changed. (A front matter with a problem is always parsed again, so its
    findings carry their lines.)"""

    NAMESPACE = "front-matter"

    def __init__(self, store: Store, audiences: Iterable[str]) -> None:
        self._store = store
        self.name = store.key(self.NAMESPACE)
        self.audiences = repr(sorted(audiences))
        stored = loads(store.get(self.NAMESPACE, self.name))
        self.old: dict[str, list[Any]] = stored if isinstance(stored, dict) else {}
        self.new: dict[str, list[Any]] = {}

    def parse(
        self, file: SectionFile, audiences: Iterable[str]
    ) -> tuple[Section | None, list[Finding]]:
        """:func:`~briefgen.load.sections.parse_section`, or its result as last stored."""
        key = self._store.key(self.NAMESPACE, self.audiences, file.front_matter)
        row = self.old.get(key)
        if row is not None:
            try:
                cached = decode_front_matter(row, file)
            except BAD:
                pass
            else:
                self.new[key] = row
                return cached, []
        section, findings = parse_section(file, audiences)
        if section is not None and not findings:
            self.new[key] = encode_front_matter(section, file.fm_offset)
        return section, findings

    def save(self) -> None:
        """Keep the entries this load used (so the entry never outgrows the project)."""
        if self.new != self.old:
            self._store.put(self.NAMESPACE, self.name, dumps(self.new))


class SyllableMemo:
    """Syllable counts of the words seen before: a check whose words are all known does not
    load the hyphenation dictionary, which costs more than the rest of a check with one file
    edited. (pyphen is among the libraries the store's key covers.)"""

    NAMESPACE = "syllables"
    LIMIT = 200_000  # distinct words kept; a project's vocabulary is a small part of that

    def __init__(self, store: Store) -> None:
        self._store = store
        self.name = store.key(self.NAMESPACE)
        self.counts: dict[str, int] = {}
        stored = loads(store.get(self.NAMESPACE, self.name))
        try:
            if stored is not None:
                self.counts = {str(k): int(v) for k, v in stored["words"].items()}
        except BAD:
            pass
        if len(self.counts) > self.LIMIT:  # words of sections long gone: start afresh
            self.counts = {}
        self.changed = False

    def count(self, word: str) -> int:
        key = word.lower()
        known = self.counts.get(key)
        if known is None:
            known = self.counts[key] = readability.syllables(key)
            self.changed = True
        return known

    def save(self) -> None:
        if self.changed:
            self._store.put(self.NAMESPACE, self.name, dumps({"words": self.counts}))
            self.changed = False
