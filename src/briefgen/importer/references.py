"""Numeric references in a draft (``[1]``, ``[1, 4]``, ``[2-4]``, ``[1][2]``) made pandoc
citations through the reference map, and the sentences left without any reference."""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefgen.scan.sentences import split_sentences

_REF = r"\[[ \t]*\d+(?:[ \t]*[-–,;][ \t]*\d+)*[ \t]*\]"
REF_RE = re.compile(_REF)
_REF_RUN_RE = re.compile(rf"{_REF}(?:\s*{_REF})*(?!\()")  # adjacent references: one group
_ITEM_RE = re.compile(r"(\d+)(?:[ \t]*[-–][ \t]*(\d+))?")
_RANGE_MAX = 50  # [3-7] is a range; [3-2000] is not, it is two numbers
_LETTER_RE = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Paragraph:
    line: int  # draft line of its first line
    text: str  # its lines, joined with "\n"


def _numbers(reference: str) -> list[int]:
    numbers: list[int] = []
    for match in _ITEM_RE.finditer(reference):
        first, last = int(match.group(1)), match.group(2)
        if last is not None and 0 < int(last) - first <= _RANGE_MAX:
            numbers.extend(range(first, int(last) + 1))
        else:
            numbers.append(first)
            if last is not None:
                numbers.append(int(last))
    return numbers


def convert_paragraph(
    paragraph: Paragraph,
    refs: dict[int, str],
    unmapped: dict[int, set[int]],
    uncited: list[tuple[int, str]],
) -> str:
    """The paragraph with its references converted; records what the editor must see to."""
    text = paragraph.text
    runs = list(_REF_RUN_RE.finditer(text))
    pieces: list[str] = []
    last = 0
    for run in runs:
        pieces.append(text[last : run.start()])
        pieces.append(_citation(run, paragraph, refs, unmapped))
        last = run.end()
    pieces.append(text[last:])
    uncited.extend(_uncited(paragraph, runs))
    return "".join(pieces)


def _line_at(paragraph: Paragraph, offset: int) -> int:
    return paragraph.line + paragraph.text.count("\n", 0, offset)


def _citation(
    run: re.Match[str], paragraph: Paragraph, refs: dict[int, str], unmapped: dict[int, set[int]]
) -> str:
    """A run of adjacent references as one pandoc citation, the numbers without a key
    after it; left as written when none has a key (the checker flags the sentence)."""
    keys: list[str] = []
    missing: list[int] = []
    for reference in REF_RE.finditer(run.group()):
        for number in _numbers(reference.group()):
            key = refs.get(number)
            if key is None:
                line = _line_at(paragraph, run.start() + reference.start())
                unmapped.setdefault(number, set()).add(line)
                if number not in missing:
                    missing.append(number)
            elif key not in keys:
                keys.append(key)
    if not keys:
        return run.group()
    group = "[" + "; ".join(f"@{k}" for k in keys) + "]"
    return " ".join([group, *(f"[{n}]" for n in missing)])


def _uncited(paragraph: Paragraph, runs: list[re.Match[str]]) -> list[tuple[int, str]]:
    """The sentences holding no reference, with their lines.

    A reference belongs to the sentence it stands in, or, standing at the start of a
    sentence, to the one before it ("... rule. [1] Next"), as the checker sees it."""
    text = paragraph.text
    spans = split_sentences(text)
    referenced: set[int] = set()
    for run in runs:
        i = max((k for k, (s, _) in enumerate(spans) if s <= run.start()), default=0)
        if i > 0 and not text[spans[i][0] : run.start()].strip():
            i -= 1
        referenced.add(i)
    found: list[tuple[int, str]] = []
    for i, (s, e) in enumerate(spans):
        if i in referenced:
            continue
        # the references of the sentence before may stand at its start: "[2] Next one."
        lead = re.match(rf"(?:\s|{_REF})*", text[s:e])
        start = s + (lead.end() if lead else 0)
        sentence = " ".join(text[start:e].split())
        if _LETTER_RE.search(sentence):
            found.append((_line_at(paragraph, start), sentence))
    return found
