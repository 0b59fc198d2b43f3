"""The PDF as a reader sees it: the repository's four example briefs built through Typst,
their pages read back as text (issue #19)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml

from briefgen.assemble import footer_titles
from tests.conftest import REPO, copy_example, invoke

EXAMPLES = ("ministers", "public", "prosecutors", "investigators")


@pytest.fixture(scope="module")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project with its briefs built to PDF: its build directory."""
    root = copy_example(tmp_path_factory.mktemp("layout"))
    result = invoke(["build", "--all", "--to", "pdf"], cwd=root)
    assert result.exit_code == 0, result.output
    return root / "build"


@pytest.fixture(scope="module")
def example_pdfs(example_build: Path) -> dict[str, list[str]]:
    """Each example brief's PDF, as the text of its pages."""
    readers = {name: pypdf.PdfReader(example_build / f"{name}.pdf") for name in EXAMPLES}
    return {name: [page.extract_text() for page in pdf.pages] for name, pdf in readers.items()}


# a prime, or an opening single quote, straight after a letter, a digit or a closing quote:
# an apostrophe or closing quote that Typst's smart quotes guessed wrong
_MISREAD_QUOTE = re.compile(r"[\w”’][′‘]")
# a closing single quote after a digit or a closing double quote: where they went wrong
_HARD_CLOSE = re.compile(r"[\d”]’")


def test_quotes_and_apostrophes_print_as_the_bibliography_has_them(
    example_pdfs: dict[str, list[str]],
) -> None:
    hard_cases = {}
    for name, pages in example_pdfs.items():
        text = "\n".join(pages)
        assert not _MISREAD_QUOTE.findall(text), name
        references = " ".join(text[text.rindex("References") :].split())
        hard_cases[name] = len(_HARD_CLOSE.findall(references))
        assert "tracking its “PhotoDNA”’." in references
        assert "Electronic Evidence Situation Report 2023’, Europol" in references
    # the titles that end in a digit or a quotation of their own: issue #19's, and three
    # sources added for #18 (Parliament's P10_TA(2026)0070, NCMEC's "wake-up call", IWF 2024)
    assert hard_cases == {"ministers": 4, "public": 4, "prosecutors": 10, "investigators": 10}


def test_footer_titles_are_cut_after_a_word_longest_first() -> None:
    assert footer_titles("One") == ["One"]
    assert footer_titles("Laws, courts: and data") == [
        "Laws, courts: and data",
        "Laws, courts: and…",
        "Laws, courts…",  # no comma or colon before the ellipsis
        "Laws…",
    ]
    long = footer_titles("word " * 10_000 + "end")  # offered only what a column could hold
    assert long[0] == ("word " * 24).strip() + "…" and len(long) == 24
    assert footer_titles("x" * 500) == ["x" * 119 + "…"]


def _footers(pages: list[str]) -> list[str]:
    """Each page's footer title: the last line, before the marking (one word: TLP:CLEAR, or
    an audience's marking_label such as Public) and the page number."""
    return [page.splitlines()[-1].rsplit(" Page ", 1)[0].rsplit(" ", 1)[0] for page in pages]


def test_the_footer_cuts_a_long_title_after_a_word(example_pdfs: dict[str, list[str]]) -> None:
    for name, pages in example_pdfs.items():
        brief = yaml.safe_load((REPO / "briefs" / f"{name}.yaml").read_text(encoding="utf-8"))
        shown = set(_footers(pages))
        assert len(shown) == 1, name
        footer = shown.pop()
        words = footer.removesuffix("…").split()
        assert footer.endswith("…") and len(words) >= 5, name
        assert brief["title"].split()[: len(words)] == words, name
    assert footer == "Barriers to prosecuting online CSAM networks across…"  # investigators


def test_the_footer_shows_the_short_title(project: Callable[[str], Path]) -> None:
    root = project("basic")
    brief = root / "briefs" / "note.yaml"
    brief.write_text(
        brief.read_text(encoding="utf-8") + "short_title: Abuse networks\n", encoding="utf-8"
    )
    result = invoke(["build", "note", "--to", "pdf", "--project", str(root)])
    assert result.exit_code == 0, result.output
    pages = pypdf.PdfReader(root / "build" / "note.pdf").pages
    assert set(_footers([page.extract_text() for page in pages])) == {"Abuse networks"}


LABELS = ("Assessment", "Note", "Recommendation")


def _headings(pdf: pypdf.PdfReader) -> set[str]:
    """The headings of a PDF, from its outline (Typst lists every heading there)."""
    found: set[str] = set()
    items: list[Any] = list(pdf.outline)
    while items:
        item = items.pop()
        if isinstance(item, list):
            items += item
        else:
            found.add(" ".join(item.title.split()))
    return found


def test_no_page_ends_with_a_label_or_a_heading(
    example_build: Path, example_pdfs: dict[str, list[str]]
) -> None:
    """A label ("Assessment", "Note", "Recommendation") or a heading is never the last
    line of a page above the footer, its text on the next page (issue #19 item 1)."""
    stranded = []
    for name, pages in example_pdfs.items():
        headings = _headings(pypdf.PdfReader(example_build / f"{name}.pdf"))
        assert "References" in headings and len(headings) > 5, name
        for number, page in enumerate(pages, 1):
            lines = [line.strip() for line in page.splitlines() if line.strip()][:-1]
            if len(lines) < 2:
                continue
            last, two = lines[-1], " ".join(lines[-2:])
            if last in LABELS or last in headings or two in headings:
                stranded.append(f"{name}.pdf page {number}: {last!r}")
    assert stranded == []


def test_no_wrapped_line_of_a_paragraph_starts_a_typst_list(tmp_path: Path) -> None:
    """pandoc wraps the Typst it writes; a wrapped line starting "3. " (as in "[12], recital
    3. The ...") made Typst start a numbered list in mid-paragraph. Paragraphs are written
    on one line."""
    from briefgen.assemble import assemble
    from briefgen.load import load_project
    from briefgen.render import render_typst
    from tests.conftest import PROJECTS

    root = tmp_path / "project"
    shutil.copytree(PROJECTS / "basic", root, ignore=shutil.ignore_patterns(".briefgen-cache"))
    section = root / "briefs/sections/anonymity.md"
    # paragraphs of every length up to a line and a half: in one, a wrap falls before "3."
    paragraphs = "\n\n".join(
        f"{'ab ' * k}rules [@owen2015tor, recital 3]. The end." for k in range(1, 30)
    )
    section.write_text(section.read_text(encoding="utf-8") + f"\n{paragraphs}\n", encoding="utf-8")
    project = load_project(root)
    brief = project.briefs["note"]
    source = render_typst(project, assemble(project, brief, "TLP:CLEAR")).decode("utf-8")
    assert source.count("recital 3. The end.") == 29
    assert not re.search(r"^\s*\d+\.\s", source, re.M)
