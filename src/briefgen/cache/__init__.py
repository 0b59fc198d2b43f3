"""The cache: an adapter around the pure core, entered from the application layer.

store     the one store: signed entries under .briefgen-cache/, the one key function
codec     every cached value to JSON and back; the one FORMAT every key includes
scans     the scan cache around scan.scan_files
snapshot  the last check's whole result, keyed by inputs.check_inputs
memos     the front-matter memo (around load's parse_section) and the syllable memo
builds    this machine's record of what a build wrote (what makes outputs up to date)
memory    CacheMemory: all of the above as the stages' briefgen.memory.Memory

``app.py`` opens one :class:`CacheMemory` per command from Settings
(``CacheMemory.open``) and passes it down; ``None`` is the one way to say "no cache". No
stage imports this package: the loader, the check and the writer of outputs see only the
protocol in briefgen.memory.
"""

from __future__ import annotations

from briefgen.cache.store import Store

__all__ = ["Store"]
