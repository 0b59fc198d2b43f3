"""Generate a briefgen project of N sections from real prose, for the timing benchmarks.

    python benchmarks/realcorpus.py OUT_DIR --sections N [--seed S]

The prose is ``../shared/corpora/meta-review/`` (a published article in pandoc Markdown, one
sentence per line; see ``tests/realprose.py``), read where it lies at run time, never copied
into the repository. Its ~450 sentences are repeated and varied to fill N sections of about
the synthetic corpus's size (5-6 KB): each section is a heading and paragraphs of sentences
drawn at random from the whole article, and now and then one of its other blocks (a table, a
list, a figure, a comment, raw HTML), as written.

Two changes to the sentences. Two in three get an opening of a word or two (``Moreover,
...``, ``In 2017, ...``, ``According to the survey, ...``), so that 1,000 sections do not
repeat the same few hundred sentence openings, which no real project of that size would.
And every sentence, list item or table row that cites nothing gets a citation of a stub
entry, so that ``briefgen check`` passes (with ``allow_raw: true``, and stub files for the
images the article shows).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.realprose import CORPUS, available

__all__ = ["CORPUS", "available", "generate"]

STUB_ENTRIES = 300  # ref001 ... ref300, cited where a sentence cites nothing
SECTION_BYTES = 5800  # about the synthetic corpus's section size
BRIEF_SECTIONS = 20
_KEY_RE = re.compile(r"(?:(?<=[\s\[;(])|^)-?@([\w](?:[\w:.#$%&+?<>~/-]*[\w])?)", re.M)
_IMAGE_RE = re.compile(r"\]\((images/[^)\s\"]+)")
# a line that ends a sentence: a terminator, closing quotes, brackets or emphasis
_ENDS_RE = re.compile(r"[.?!:][\"'”’)*_\]]*\s*$")
_TAIL_RE = re.compile(r"([.?!:][\"'”’)*_\]]*)\s*$")
_CLAIM_LINE_RE = re.compile(r"^\s*(?:[-+*]\s+|\d+[.)]\s+|: |Table: )?[*_\"(]*(?:<https?:|[A-Za-z])")
_DEFINITION_RE = re.compile(r"^\[[^\]]+\]:\s")  # a link reference definition
_NOT_PROSE_RE = re.compile(r"^(?:[#|!<{:>~`]|\s*[-+*]\s|\s*\d+[.)]\s|\[[^\]]+\]:\s|\]\()")
_OPENINGS = (  # mostly one or two words, so that a sentence's own first words follow
    "{adverb}, ",
    "{adverb}, ",
    "{phrase}, ",
    "In {year}, ",
    "By {year}, ",
    "Since {year}, ",
    "As of {month} {year}, ",
    "According to the {who}, ",
)
_ADVERBS = (
    "Moreover", "However", "Notably", "Currently", "Historically", "Overall", "Similarly",
    "Consequently", "Meanwhile", "Still", "Thus", "Indeed", "Typically", "Often", "Today",
    "Here", "Again", "Instead", "Crucially", "Increasingly", "Ultimately", "Initially",
    "Later", "Nonetheless", "Admittedly",
)  # fmt: skip
_PHRASES = (
    "In practice", "In contrast", "In particular", "For example", "For instance",
    "Of course", "At present", "As expected", "In principle", "To date", "So far",
    "By contrast", "In turn", "In short", "At first", "On balance",
)  # fmt: skip
_MONTHS = ("January", "March", "May", "June", "September", "November")
_WHO = ("survey", "editors", "review team", "steering group", "authors", "publisher")
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000000000005000157a00e520000000049454e44ae426082"
)
_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n'
CONFIG = (
    "title: Real-prose benchmark corpus\nbibliography: references.bib\ncsl: ieee\n"
    "allow_raw: true\naudiences:\n  readers:\n    label: Readers\n    max_marking: TLP:CLEAR\n"
)


def _blocks(corpus: Path) -> list[list[str]]:
    """The article's blocks (runs of lines between blank lines), fences kept whole."""
    blocks: list[list[str]] = []
    for path in sorted(corpus.glob("*.md")):
        current: list[str] = []
        fenced = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            if not line.strip() and not fenced:
                if current:
                    blocks.append(current)
                current = []
            else:
                current.append(line)
        if current:
            blocks.append(current)
    return blocks


def _sentences(block: list[str]) -> list[str]:
    """A prose block's sentences: its lines, a line that ends no sentence joined to the next."""
    out: list[str] = []
    joined = ""
    for line in block:
        joined = f"{joined} {line.strip()}" if joined else line.strip()
        if _ENDS_RE.search(joined):
            out.append(joined)
            joined = ""
    if joined:
        out.append(joined)
    return out


def _is_prose(block: list[str]) -> bool:
    return not any(_NOT_PROSE_RE.match(line) for line in block)


class _Writer:
    """Hands out sentences, openings and stub citations from one random stream."""

    def __init__(self, rng: random.Random, sentences: list[str], others: list[str]) -> None:
        self.rng = rng
        self.sentences = sentences
        self.others = others
        # words written capitalised inside a sentence (names): kept so after an opening
        self.names = {w for s in sentences for w in re.findall(r"(?<=[a-z,;] )[A-Z]\w+", s)}
        self.next_key = 0

    def key(self) -> str:
        self.next_key += 1
        return f"ref{self.next_key % STUB_ENTRIES + 1:03d}"

    def cited(self, text: str) -> str:
        """The text with a stub citation before its final punctuation, if it cites nothing."""
        if "@" in text:
            return text
        tail = _TAIL_RE.search(text)
        if tail is None:
            return f"{text} [@{self.key()}]"
        return f"{text[: tail.start()]} [@{self.key()}]{tail.group(1)}"

    def varied(self, sentence: str) -> str:
        """The sentence, two times in three with an opening of a word or two (a connective,
        a date, a source)."""
        first = re.match(r"[A-Z][a-z]+\b", sentence)
        if first is None or self.rng.random() < 1 / 3:
            return sentence
        word = first.group()
        if word not in self.names:
            sentence = word.lower() + sentence[len(word) :]
        opening = self.rng.choice(_OPENINGS).format(
            year=self.rng.randint(1995, 2025),
            month=self.rng.choice(_MONTHS),
            who=self.rng.choice(_WHO),
            adverb=self.rng.choice(_ADVERBS),
            phrase=self.rng.choice(_PHRASES),
        )
        return opening + sentence

    def paragraph(self) -> str:
        count = self.rng.randint(3, 7)
        return "\n".join(
            self.cited(self.varied(self.rng.choice(self.sentences))) for _ in range(count)
        )

    def other(self) -> str:
        """One of the article's other blocks, every uncited list item or table row cited."""
        lines = []
        for line in self.rng.choice(self.others).split("\n"):
            if line.startswith("|") and "@" not in line and not re.match(r"\|[ :-]+\|", line):
                cells = line.split("|")
                cells[1] = f"{cells[1].rstrip()} [@{self.key()}] "
                line = "|".join(cells)
            elif line.startswith("{#"):
                continue  # a pandoc-crossref label, which pandoc reads as caption text
            elif _CLAIM_LINE_RE.match(line):
                line = self.cited(line)  # a list item, a caption, a figure's caption line
            lines.append(line)
        return "\n".join(lines)

    def section(self, index: int, headings: list[str]) -> str:
        summary = self.cited(self.varied(self.rng.choice(self.sentences)))
        front = f"---\ntitle: Real prose {index}\nsummary: >-\n  {summary}\n---\n"
        blocks = [self.rng.choice(headings)]
        size = 0
        while size < SECTION_BYTES:
            block = self.other() if self.rng.random() < 0.15 else self.paragraph()
            blocks.append(block)
            size += len(block.encode("utf-8"))
        return front + "\n" + "\n\n".join(blocks) + "\n"


def generate(out: Path, sections: int, seed: int = 1) -> None:
    """Write a project of ``sections`` section modules made from the real-prose corpus."""
    if not available():
        raise FileNotFoundError(f"the real-prose corpus is not at {CORPUS}")
    blocks = _blocks(CORPUS)
    headings = [b[0] for b in blocks if len(b) == 1 and b[0].startswith("#")]
    sentences = [s for b in blocks if _is_prose(b) for s in _sentences(b)]
    # link definitions stay out: one shared by two sections is an error of its own
    others = [
        "\n".join(b)
        for b in blocks
        if not _is_prose(b)
        and not b[0].startswith("#")
        and not any(_DEFINITION_RE.match(line) for line in b)
    ]
    writer = _Writer(random.Random(seed), sentences, others)
    section_dir = out / "briefs" / "sections"
    section_dir.mkdir(parents=True, exist_ok=True)
    ids = [f"r{i:04d}" for i in range(1, sections + 1)]
    for i, sid in enumerate(ids, 1):
        (section_dir / f"{sid}.md").write_text(writer.section(i, headings), encoding="utf-8")
    keys = sorted(set(_KEY_RE.findall("\n".join(sentences + others))))
    keys += [f"ref{n:03d}" for n in range(1, STUB_ENTRIES + 1)]
    (out / "references.bib").write_text(
        "".join(
            f"@misc{{{key},\n  title = {{Stub {i}}},\n  author = {{Stub, A.}},\n"
            f"  year = {{2020}},\n}}\n\n"
            for i, key in enumerate(keys)
        ),
        encoding="utf-8",
    )
    for image in sorted(set(_IMAGE_RE.findall("\n".join(others)))):
        path = out / image
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_SVG if image.endswith(".svg") else _PNG)
    (out / "briefgen.yaml").write_text(CONFIG, encoding="utf-8")
    (out / "briefs" / "full.yaml").write_text(
        "title: Real-prose brief\naudience: readers\ndate: 2026-11-29\nsections:\n"
        + "".join(f"  - {sid}\n" for sid in ids[:BRIEF_SECTIONS]),
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output directory (created if missing)")
    parser.add_argument("--sections", type=int, default=50, help="section modules (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if not available():
        raise SystemExit(f"skipped: the real-prose corpus is not at {CORPUS}")
    generate(args.out, args.sections, args.seed)
    print(f"wrote {args.sections} real-prose sections to {args.out}")


if __name__ == "__main__":
    main()
