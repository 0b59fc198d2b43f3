"""A draft PDF's last page: the findings still open for the brief (rule, file:line,
message), so a reviewer holding a printout knows what is left to do.

Findings hold section text (a sentence, a key, a path), which is untrusted: each reaches
Typst only as a string literal written by ``typst_string``, in which nothing but ``\\`` and
``"`` (and control characters) means anything, so ``#``, ``[``, ``]``, ``$``, ``@`` or ``<``
in a finding is printed, never run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from briefgen.findings import Finding

#: Findings listed at most; the rest are counted.
LISTED = 400
#: Characters of one message shown at most.
MESSAGE_CHARS = 600

DraftFinding = tuple[str, str, str]  # rule, where (file:line), message


def brief_findings(findings: Iterable[Finding], files: Iterable[str]) -> tuple[DraftFinding, ...]:
    """The findings about a brief's own files (its brief file and its sections), in file
    and line order: what its draft PDF lists."""
    wanted = set(files)
    kept = sorted(
        (f for f in findings if f.file in wanted),
        key=lambda f: (f.file, f.line, f.column, f.rule),
    )
    return tuple((f"{f.severity} {f.rule}", f"{f.file}:{f.line}", _message(f)) for f in kept)


def _message(finding: Finding) -> str:
    """The message, and the sentence or text it is about when there is one."""
    text = " ".join(finding.text.split())
    return f"{finding.message}: “{text}”" if text else finding.message


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal: backslash and double quote escaped, control
    characters (line breaks included) and the Unicode line separators as ``\\u{...}``."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '\\"':
            out.append("\\" + char)
        elif code < 0x20 or 0x7F <= code < 0xA0 or char in "\u2028\u2029":
            out.append(f"\\u{{{code:x}}}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


def findings_page(findings: Sequence[DraftFinding]) -> str:
    """The Typst source of the draft's last page, appended after the references."""
    errors = sum(1 for rule, _, _ in findings if rule.startswith("error "))
    outcome = (
        "the built brief is refused until every error is resolved."
        if errors
        else "none of it is an error: the brief itself builds, with these warnings."
    )
    intro = (
        "This is a draft, not for circulation. When it was built, briefgen check reported "
        f"what follows for the brief and its sections; {outcome}"
        if findings
        else "When this draft was built, briefgen check reported nothing for the brief and "
        "its sections."
    )
    cells = [
        f"{typst_string(rule)}, {typst_string(where)}, {typst_string(_shorten(message))},"
        for rule, where, message in findings[:LISTED]
    ]
    more = len(findings) - LISTED
    lines = [
        "",
        "#pagebreak(weak: true)",
        "#heading(level: 1, numbering: none)[Open findings (draft)]",
        f"#par(text(size: 9.5pt, {typst_string(intro)}))",
    ]
    if cells:
        lines += [
            "#text(size: 8.5pt, table(columns: (auto, auto, 1fr), align: left,",
            "  table.header([*Rule*], [*Where*], [*Message*]),",
            *(f"  {cell}" for cell in cells),
            "))",
        ]
    if more > 0:
        lines.append(f"#par(text(size: 9.5pt, {typst_string(f'… and {more} more.')}))")
    return "\n".join(lines) + "\n"
