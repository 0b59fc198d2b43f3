"""The closed world of audience and exemption markup.

An audience block decides who reads a passage and how the brief is marked; an exemption
block (judgment, recommendation, note) takes a passage out of the claim rule. A typo in
either must never pass as an ordinary div: the restricted text would reach every audience,
or analysis would be checked (or, worse, fact exempted) without anyone noticing. So any
div or span carrying ``only=``, ``except=`` or ``marking=`` must be an ``.audience`` div, a
class within two edits of a known one is an error with "did you mean" (and so is an
attribute within two edits of ``only``/``except``/``marking``, or any other attribute on an
audience block), and a fence that is
never closed, or that pandoc reads as text, is an error at its line. Other classes are
allowed (pandoc users rely on them) and listed by ``briefgen list``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from briefgen.findings import Finding
from briefgen.scan import AUDIENCE_CLASS, EXEMPT_CLASSES, FenceProblem, FileScan, Markup

KNOWN_CLASSES = (AUDIENCE_CLASS, *EXEMPT_CLASSES)
AUDIENCE_ATTRIBUTES = ("only", "except", "marking")


def markup_findings(rel: str, scan: FileScan) -> list[Finding]:
    out: list[Finding] = []
    for use in scan.markup:
        where = (rel, use.line, use.column)
        out.extend(_class_findings(where, use))
        out.extend(_attribute_findings(where, use))
        out.extend(_placement_findings(where, use))
    for block in scan.metadata:
        out.append(
            Finding(
                rel,
                block.line,
                1,
                "markup",
                f"a YAML metadata block ({', '.join(block.fields)}) inside a section would set "
                "the brief's own metadata: move the fields to the front matter, or write a "
                "rule as *** instead of ---",
            )
        )
    out.extend(_fence_finding(rel, fence) for fence in scan.fences)
    return out


_Where = tuple[str, int, int]  # file, line, column


def _class_findings(where: _Where, use: Markup) -> list[Finding]:
    """Classes within two edits of a known one."""
    out: list[Finding] = []
    for name in use.classes:
        near = near_class(name)
        if near is not None:
            out.append(
                Finding(
                    *where,
                    "markup",
                    f"unknown class '{name}' (did you mean '{near}'?): correct it, or the "
                    f"{use.element} is read as ordinary text",
                    name,
                )
            )
    return out


def _attribute_findings(where: _Where, use: Markup) -> list[Finding]:
    """Attributes near an audience attribute, any other on an audience block, and audience
    attributes given twice."""
    out: list[Finding] = []
    for name in use.attributes:
        near = _near(name, AUDIENCE_ATTRIBUTES)
        if name in AUDIENCE_ATTRIBUTES or (
            near is None and (AUDIENCE_CLASS not in use.classes or name == "id")
        ):
            continue
        hint = f" (did you mean '{near}='?)" if near else ""
        out.append(
            Finding(
                *where,
                "markup",
                f"unknown attribute '{name}='{hint} on an audience {use.element}: an "
                "audience block takes only=, except= and marking="
                if AUDIENCE_CLASS in use.classes
                else f"unknown attribute '{name}='{hint}: correct it, or the "
                f"{use.element} is read as ordinary text",
                name,
            )
        )
    twice = sorted(
        {a for a in use.attributes if a in AUDIENCE_ATTRIBUTES}
        & {a for i, a in enumerate(use.attributes) if a in use.attributes[:i]}
    )
    if twice:
        out.append(
            Finding(
                *where,
                "markup",
                f"{', '.join(f'{a}=' for a in twice)} given twice on one {use.element}: "
                "give each once (the check and the build would read different ones)",
            )
        )
    return out


def _placement_findings(where: _Where, use: Markup) -> list[Finding]:
    """An audience span (it cannot be left out), or audience attributes without the class."""
    if use.element == "span" and AUDIENCE_CLASS in use.classes:
        return [
            Finding(
                *where,
                "markup",
                "an audience span cannot be left out of a brief: put the text in a fenced "
                'div (::: {.audience only="..."} ... :::)',
            )
        ]
    stray = [a for a in use.attributes if a in AUDIENCE_ATTRIBUTES]
    if any(near_class(name) == AUDIENCE_CLASS for name in use.classes):
        stray = []  # the misspelt class says it all
    if not stray or AUDIENCE_CLASS in use.classes:
        return []
    names = ", ".join(f"{a}=" for a in stray)
    fix = (
        'write ::: {.audience only="..."}'
        if use.element == "div"
        else 'put the text in a fenced div (::: {.audience only="..."} ... :::)'
    )
    return [
        Finding(
            *where,
            "markup",
            f"{names} on a {use.element} without the audience class would reach every "
            f"audience: {fix}",
        )
    ]


def _fence_finding(rel: str, fence: FenceProblem) -> Finding:
    if fence.problem == "unclosed":
        message = (
            f"fenced div '{fence.text}' is never closed: add a line ':::' where it ends "
            "(until then it runs to the end of the file)"
        )
    elif fence.problem == "text":
        message = (
            f"'{fence.text}' is read as text, not as a fence: pandoc cannot read its "
            'attributes: write them as {.class name="value"} (a value not starting with a '
            "space, no comma between them)"
        )
    else:
        message = (
            f"'{fence.text}' is read as text, not as a fence: leave a blank line before "
            "it and start it at the beginning of the line"
        )
    return Finding(rel, fence.line, 1, "markup", message, fence.text)


def near_attribute(name: str) -> str | None:
    """The audience attribute ``name`` is a typo of, if any."""
    return _near(name, AUDIENCE_ATTRIBUTES)


def near_class(name: str) -> str | None:
    """The known class ``name`` is one or two edits away from (not equal to), if any."""
    return _near(name, KNOWN_CLASSES)


def _near(name: str, known: tuple[str, ...]) -> str | None:
    """The name in ``known`` that ``name`` is a change of case or a typo away from, if any;
    None when ``name`` is itself known. A typo is up to two edits (a transposed pair counts
    as one), and one for a name of four letters or fewer: two edits of ``note`` reach
    ``date``, ``quote`` and ``none``, ordinary classes that must not be refused."""
    if name in known:
        return None
    lowered = name.lower()
    for candidate in known:
        limit = 1 if len(candidate) <= 4 else 2
        if lowered == candidate or edit_distance(lowered, candidate, limit) <= limit:
            return candidate
    return None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment), or
    ``limit + 1`` as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def classes_used(scans: Iterable[FileScan]) -> Counter[str]:
    """How often each class is used on divs and spans, over the scans."""
    return Counter(name for scan in scans for use in scan.markup for name in use.classes)
