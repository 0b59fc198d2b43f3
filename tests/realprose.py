"""A briefgen project built from real published prose, for the claim checker's gold test
and benchmark: ``../shared/corpora/meta-review/`` (see its README), written one sentence per
line, so the lines are a gold standard for sentence boundaries and finding positions.

The corpus is read from where it lies, never copied into the repository; callers skip when
it is absent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "meta-review"

# a pandoc citation key after a citation's opening (not an e-mail address's @)
_KEY_RE = re.compile(r"(?:(?<=[\s\[;(])|^)-?@([\w](?:[\w:.#$%&+?<>~/-]*[\w])?)", re.M)
_CAPTION_START_RE = re.compile(r"^(?:Table: |: )")


@dataclass(frozen=True)
class ProseLine:
    file: str  # project-relative section path
    line: int  # in the section file, front matter counted
    column: int  # where the sentence's text starts
    cited: bool
    text: str


def available() -> bool:
    return CORPUS.is_dir() and any(CORPUS.glob("*.md"))


@dataclass(frozen=True)
class Gold:
    sentences: list[ProseLine]  # every sentence of prose, at its first line
    table_rows: set[tuple[str, int]]  # (file, line) of table rows: their cells hold claims
    # too, but are no part of the one-sentence-per-line standard


def build_project(root: Path) -> Gold:
    """Write a project holding the corpus (one section per file, a stub bibliography entry
    per key, one brief) into ``root``; return the gold standard."""
    sections = root / "briefs" / "sections"
    sections.mkdir(parents=True)
    keys: set[str] = set()
    gold: list[ProseLine] = []
    tables: set[tuple[str, int]] = set()
    names = []
    for path in sorted(CORPUS.glob("*.md")):
        name = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-")
        names.append(name)
        body = path.read_text(encoding="utf-8")
        header = f"---\ntitle: {name}\n---\n\n"
        (sections / f"{name}.md").write_text(header + body, encoding="utf-8")
        keys.update(_KEY_RE.findall(body))
        offset = header.count("\n")
        tables.update(
            (f"briefs/sections/{name}.md", n + offset)
            for n, line in enumerate(body.splitlines(), 1)
            if line.startswith("|")
        )
        gold += [
            ProseLine(f"briefs/sections/{name}.md", n + offset, col, cited, text)
            for n, col, cited, text in prose_lines(body)
        ]
    (root / "briefgen.yaml").write_text(
        "bibliography: references.bib\ncsl: ieee\naudiences:\n  readers:\n"
        "    label: Readers\n    max_marking: TLP:CLEAR\n",
        encoding="utf-8",
    )
    (root / "briefs" / "corpus.yaml").write_text(
        "title: Corpus\naudience: readers\ndate: 2026-11-29\nsections:\n"
        + "".join(f"  - {n}\n" for n in names),
        encoding="utf-8",
    )
    (root / "references.bib").write_text(
        "".join(
            f"@misc{{{key},\n  title = {{Stub {i}}},\n  author = {{Stub, A.}},\n"
            f"  year = {{2020}},\n}}\n\n"
            for i, key in enumerate(sorted(keys))
        ),
        encoding="utf-8",
    )
    return Gold(gold, tables)


def prose_lines(body: str) -> list[tuple[int, int, bool, str]]:
    """(line, column, cited, text) of each sentence of prose: its first line in paragraphs,
    list items, figure and table captions (not headings, tables, code, comments, HTML,
    attribute or image lines). A line continues the sentence of the line before when that
    one does not end a sentence (the corpus breaks a few long sentences over lines)."""
    out: list[tuple[int, int, bool, str]] = []
    in_code = in_comment = in_tag = False
    previous = ""  # the previous prose line of the same block
    for n, line in enumerate(body.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        if in_comment or stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        if not stripped:
            previous = ""
            continue
        if in_tag or re.match(r"<(?!https?:)[a-zA-Z/]", stripped):
            in_tag = ">" not in stripped  # raw HTML: a tag, its attributes over lines
            previous = ""
            continue
        if (
            stripped.startswith(("#", "|", "![", "](", "{#", "{{", ">"))
            or re.match(r"\[[^\]]+\]:\s", stripped)  # a link reference definition
            or not re.search(r"[^\W\d_]", stripped)
        ):
            previous = ""
            continue
        cited = bool(_KEY_RE.search(line))
        item = _ITEM_RE.match(line)
        if previous and not item and not _ENDS_SENTENCE_RE.search(previous):
            n0, col, was_cited, text = out[-1]
            out[-1] = (n0, col, was_cited or cited, text + " " + stripped)
            previous = stripped
            continue
        caption = _CAPTION_START_RE.match(line) or item
        column = caption.end() + 1 if caption else 1
        out.append((n, column, cited, line))
        previous = stripped
    return out


# a line that ends a sentence: a terminator (a colon too, in this corpus), then closing
# quotes, brackets or emphasis, then any citation group
_ENDS_SENTENCE_RE = re.compile(r"[.?!:][\"'”’)*_\]]*(?:\s*\[[^\[\]]*@[^\[\]]*\][.,]?)?\s*$")
_ITEM_RE = re.compile(r"^[ ]{0,3}[-+*][ ]+")


@dataclass(frozen=True)
class Score:
    sentences: int  # prose sentences in the gold standard
    uncited: int  # of which carry no citation
    reported: int  # uncited sentences reported once, at their line and column
    missed: int  # uncited sentences with no finding at their line (merged or lost)
    misplaced: int  # reported at their line, but at another column
    false_splits: int  # extra findings inside a sentence (a boundary that is not one)
    cited_flagged: int  # cited sentences that got a claim finding
    stray: list[str]  # claim findings on lines that hold no prose sentence's start


CLAIM_RULES = ("uncited-claim", "ambiguous-boundary")


def score(gold: Gold, findings: Sequence[Any]) -> Score:
    """Compare a check's findings with the gold standard."""
    at: dict[tuple[str, int], list[Any]] = {}
    for f in findings:
        if f.rule in CLAIM_RULES:
            at.setdefault((f.file, f.line), []).append(f)
    reported = missed = misplaced = false_splits = flagged = 0
    for g in gold.sentences:
        here = at.pop((g.file, g.line), [])
        if g.cited:
            flagged += bool(here)
            continue
        if not here:
            missed += 1
            continue
        if here[0].column == g.column:
            reported += 1
        else:
            misplaced += 1
        false_splits += len(here) - 1
    stray = [
        f"{f.file}:{f.line}:{f.column}: {f.text}"
        for fs in at.values()
        for f in fs
        if (f.file, f.line) not in gold.table_rows
    ]
    uncited = sum(1 for g in gold.sentences if not g.cited)
    return Score(
        len(gold.sentences),
        uncited,
        reported,
        missed,
        misplaced,
        false_splits + len(stray),
        flagged,
        stray,
    )
