"""The seed documents the project grew from, used two ways:

1. turned into section modules (numeric references removed), the checker must find every
   sentence as an uncited claim and nothing else (the counts were confirmed by reading);
2. the example project must not copy any run of ten words from them.
"""

from __future__ import annotations

import re
import shutil

import pytest

from briefgen.check import check
from briefgen.load import load_project
from tests.conftest import REPO, SEEDS_MISSING

SEEDS = REPO.parent / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=SEEDS_MISSING)
BRIEF, ESSAY = "000_1e21f56ab026e97b.txt", "003_b6838a39e54abc7c.txt"


def as_section(text: str) -> tuple[str, list[int]]:
    """A plain-text seed as a section module; also the lines that became headings."""
    lines = text.splitlines()
    body: list[str] = []
    headings: list[int] = []
    for raw in lines[1:]:
        line = re.sub(r"\s*\[\d+\]", "", raw).rstrip()
        if not line.strip():
            continue
        if len(line) < 150 and not re.search(r"[.!?:\"”]$", line):
            line = "## " + line
            headings.append(5 + 2 * len(body))  # 4 front-matter lines, blank-separated
        body.append(line)
    front = f"---\ntitle: {lines[0]!r}\n---\n\n"
    return front + "\n\n".join(body) + "\n", headings


@pytest.mark.parametrize(("seed", "sentences"), [(BRIEF, 17), (ESSAY, 57)])
def test_every_sentence_of_a_seed_is_an_uncited_claim(project, seed: str, sentences: int) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    shutil.rmtree(root / "briefs")
    (root / "briefs" / "sections").mkdir(parents=True)
    source = (SEEDS / seed).read_text(encoding="utf-8")
    text, headings = as_section(source)
    (root / "briefs" / "sections" / "seed.md").write_text(text, encoding="utf-8")
    result = check(load_project(root))
    uncited = [f for f in result.findings if f.rule == "uncited-claim"]
    assert len(uncited) == sentences
    assert not {f.line for f in uncited} & set(headings)  # no heading reported
    flat = " ".join(source.split())
    for finding in uncited:  # every finding is a real sentence of the seed
        assert finding.text[:40] in flat
    claims = [s for s in result.scans["seed"].sentences if s.status == "claim"]
    assert len(claims) == sentences  # nothing cited, nothing exempt, nothing missed


def shingles(text: str, n: int = 10) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_example_project_copies_no_ten_word_run_from_the_seeds() -> None:
    seeds = set().union(*(shingles(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")))
    copied = {}
    for path in sorted((REPO / "briefs").rglob("*")):
        if path.suffix in (".md", ".yaml"):
            common = shingles(path.read_text(encoding="utf-8")) & seeds
            if common:
                copied[path.name] = " ".join(sorted(common)[0])
    assert copied == {}


def test_seed_test_helper_sees_headings() -> None:
    text, headings = as_section((SEEDS / BRIEF).read_text(encoding="utf-8"))
    lines = text.splitlines()
    assert lines[headings[0] - 1] == "## Executive summary"
    assert all(lines[h - 1].startswith("## ") for h in headings)
