"""The last check's result, reused while none of its inputs has changed.

``briefgen check`` runs on every save and every push, mostly over files that did not change
since the last run. The scan cache (cache.py) saves pandoc's parse of each file, but loading
1,000 section files and their cached scans still costs more than it should. So ``check``
also stores its whole result, keyed by everything a check reads:

- the check's inputs (:func:`briefgen.inputs.check_inputs`): the bytes of briefgen.yaml,
  of the bibliography and of a CSL file of the project, and of every file in briefs/ and
  briefs/sections/ (with the directories' listings, so an added, removed or renamed file is
  a change), each read as the loader reads it: a file it refuses (too large, special,
  outside the project) counts by its size and time, never read whole
  (:func:`briefgen.inputs.key_content`); and the names of the project's image files (a
  section may show only one that exists);
- the brief names asked for and whether the reading grade is wanted;
- the code that computes the result: Python, briefgen's own module files and the
  libraries the check uses (by size and modification time), and pandoc's binary.

Any difference is a miss, and a miss runs the full check. One entry is kept per set of
brief names, under ``.briefgen-cache/check-1/``; the directory is safe to delete. An entry
is read only if this user's key signed it (:func:`briefgen.cache.read_entry`), so a
snapshot that came with the project cannot pass a check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from briefgen.cache import CACHE_DIR, code_identity, enabled, read_entry, write_entry
from briefgen.findings import Finding
from briefgen.inputs import check_inputs, key_content
from briefgen.model import Config

FORMAT = 1


def _key(root: Path, config: Config, names: Sequence[str], readability: bool) -> str:
    h = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    add("format", f"{FORMAT}/{code_identity()}/{readability}/{list(names)}".encode())
    inputs = check_inputs(root, config)
    for label, value in inputs.identity:
        add(label, value.encode())
    for folder, names_in in inputs.listings:
        add(f"listing {folder}", "\n".join(names_in).encode())
    for item in inputs.files:
        add(item.name, key_content(root, item))
    return h.hexdigest()


def _entry(root: Path, names: Sequence[str], readability: bool) -> Path:
    variant = hashlib.sha256(f"{list(names)}/{readability}".encode()).hexdigest()[:16]
    return root / CACHE_DIR / f"check-{FORMAT}" / f"{variant}.json"


Stored = tuple[list[Finding], dict[str, int], dict[str, Any]]


class Snapshot:
    """One check's entry: its key is taken before the check reads anything, so a file
    saved while the check runs makes the next check a miss, never a stale hit."""

    def __init__(self, root: Path, config: Config, names: Sequence[str], readability: bool):
        self.path = _entry(root, names, readability)
        self.key = _key(root, config, names, readability) if enabled() else None

    def lookup(self) -> Stored | None:
        """The stored result of the same check over the same inputs, if there is one."""
        if self.key is None:
            return None
        payload = read_entry(self.path)  # signed by this user's key, or a miss
        if payload is None:
            return None
        try:
            data = json.loads(payload)
            if data.get("key") != self.key:
                return None
            findings = [Finding(*f) for f in data["findings"]]
            return findings, dict(data["summary"]), dict(data["briefs"])
        except (AttributeError, ValueError, KeyError, TypeError):
            return None

    def store(self, result: Stored) -> None:
        """Keep this result for the next identical check (skipped when the project cannot
        be written: the check still works, it just does not get faster)."""
        if self.key is None:
            return
        findings, summary, briefs = result
        document = {
            "key": self.key,
            "findings": [[f.file, f.line, f.column, f.rule, f.message, f.text] for f in findings],
            "summary": summary,
            "briefs": briefs,
        }
        write_entry(self.path, json.dumps(document, separators=(",", ":")).encode("utf-8"))
