"""briefgen: assemble citation-backed briefing papers and refuse uncited claims."""

from __future__ import annotations

__version__ = "0.1.0"
