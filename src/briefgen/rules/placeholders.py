"""Values that `briefgen new` writes as placeholders (templates/new/): a field that still
holds one is a `placeholder` warning at its line until someone writes the real value."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from briefgen.findings import Finding

#: field -> (test of the value, what to do)
SECTION_PLACEHOLDERS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "owner": (
        lambda v: str(v).strip() == "Your unit",
        "owner is still the template's placeholder 'Your unit': name the unit that keeps "
        "this section current",
    ),
    "summary": (
        lambda v: str(v).startswith("Write a one-sentence summary of the section here"),
        "summary is still the template's placeholder: write the section's summary, with its "
        "citation",
    ),
}
BRIEF_PLACEHOLDERS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "purpose": (
        lambda v: re.fullmatch(r"To inform .+ of \.\.\.", " ".join(str(v).split())) is not None,
        "purpose is still the template's placeholder ('To inform ... of ...'): say what the "
        "brief is for",
    ),
}


def placeholder_findings(
    rel: str,
    values: Mapping[str, Any],
    lines: Callable[[str], int],
    placeholders: Mapping[str, tuple[Callable[[Any], bool], str]],
) -> list[Finding]:
    """A `placeholder` warning for each field still holding its template value; ``lines``
    gives a field's line in the file."""
    return [
        Finding(rel, lines(name), 1, "placeholder", message, str(values[name]))
        for name, (is_placeholder, message) in placeholders.items()
        if values.get(name) is not None and is_placeholder(values[name])
    ]
