"""TLP 2.0 markings: the labels, their order, how users may write them, their colours."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: TLP 2.0 labels, lowest first.
MARKINGS = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
#: The marking of what carries none: anyone may read it.
LOWEST = MARKINGS[0]

#: TLP 2.0 label colours (text on a black background).
MARKING_COLOURS = {
    "TLP:CLEAR": "FFFFFF",
    "TLP:GREEN": "33FF00",
    "TLP:AMBER": "FFC000",
    "TLP:AMBER+STRICT": "FFC000",
    "TLP:RED": "FF2B2B",
}


def marking_rank(marking: str) -> int:
    return MARKINGS.index(marking)


def parse_marking(value: object) -> str | None:
    """Normalise ``TLP:AMBER``, ``amber``, ``TLP: Amber+Strict`` to the TLP 2.0 label."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", "", value).upper()
    if not text.startswith("TLP:"):
        text = "TLP:" + text
    return text if text in MARKINGS else None


def marking_problem(value: object) -> str:
    if isinstance(value, str) and "WHITE" in value.upper():
        return f"marking '{value}' is TLP 1.0: TLP 2.0 calls it TLP:CLEAR"
    return f"unknown marking '{value}': use one of {', '.join(MARKINGS)}"


def highest_marking(markings: Iterable[str]) -> str:
    """The most restrictive marking of several (TLP:CLEAR for none)."""
    return max(markings, key=marking_rank, default=LOWEST)
