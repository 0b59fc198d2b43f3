"""The cache: an adapter around the pure core, entered from the application layer.

store     the one store: signed entries under .briefgen-cache/, the one key function
codec     every cached value to JSON and back; the one FORMAT every key includes
scans     the scan cache around scan.scan_files
snapshot  the last check's whole result, keyed by inputs.check_inputs
memos     the front-matter memo (around load's parse_section) and the syllable memo
builds    this machine's record of what a build wrote (what makes outputs up to date)

``app.py`` opens one :class:`Store` per command from Settings (``Store.open``) and passes
it down; ``None`` is the one way to say "no cache". The scanner, the loaders and the rules
never see it.
"""

from __future__ import annotations

from briefgen.cache.store import Store

__all__ = ["Store"]
