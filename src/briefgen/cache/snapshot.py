"""The last check's result, reused while none of its inputs has changed.

``briefgen check`` runs on every save and every push, mostly over files that did not change
since the last run. The scan cache (scans.py) saves pandoc's parse of each file, but loading
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
- the day it runs on (dated statements expire: briefgen.dated);
- the code that computes the result (:func:`briefgen.cache.store.key`).

Any difference is a miss, and a miss runs the full check. One entry is kept per set of
brief names, in the store's ``check`` namespace; an entry is read only if this user's key
signed it, so a snapshot that came with the project cannot pass a check.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from briefgen.cache.codec import BAD, decode_findings, dumps, encode_findings, loads
from briefgen.cache.store import Store
from briefgen.findings import Finding
from briefgen.inputs import check_inputs, key_content
from briefgen.model import Config

NAMESPACE = "check"

Stored = tuple[list[Finding], dict[str, int], dict[str, Any]]


def _key(store: Store, root: Path, config: Config, asked: str) -> str:
    parts: list[str | bytes] = [NAMESPACE, asked]
    inputs = check_inputs(root, config)
    for label, value in inputs.identity:
        parts += [label, value]
    for folder, names_in in inputs.listings:
        parts += [f"listing {folder}", "\n".join(names_in)]
    for item in inputs.files:
        parts += [item.name, key_content(root, item)]
    return store.key(*parts)


class Snapshot:
    """One check's entry: its key is taken before the check reads anything, so a file
    saved while the check runs makes the next check a miss, never a stale hit."""

    def __init__(
        self,
        store: Store,
        root: Path,
        config: Config,
        names: Sequence[str],
        readability: bool,
        today: str = "",
    ) -> None:
        asked = f"{list(names)}/{readability}"
        self._store = store
        self.name = store.key(NAMESPACE, asked)  # the entry: one per set of names
        self.key = _key(store, root, config, f"{asked}/{today}")

    def lookup(self) -> Stored | None:
        """The stored result of the same check over the same inputs, if there is one."""
        data = loads(self._store.get(NAMESPACE, self.name))
        try:
            if data is None or data.get("key") != self.key:
                return None
            findings = decode_findings(data["findings"])
            return findings, dict(data["summary"]), dict(data["briefs"])
        except BAD:
            return None

    def store(self, result: Stored) -> None:
        """Keep this result for the next identical check (skipped when the project cannot
        be written: the check still works, it just does not get faster)."""
        findings, summary, briefs = result
        document = {
            "key": self.key,
            "findings": encode_findings(findings),
            "summary": summary,
            "briefs": briefs,
        }
        self._store.put(NAMESPACE, self.name, dumps(document))
