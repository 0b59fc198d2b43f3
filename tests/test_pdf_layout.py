"""The PDF as a reader sees it: the repository's four example briefs built through Typst,
their pages read back as text (issue #19)."""

from __future__ import annotations

import re

import pypdf
import pytest

from tests.conftest import copy_example, invoke

EXAMPLES = ("ministers", "public", "prosecutors", "investigators")


@pytest.fixture(scope="module")
def example_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each example brief's PDF, as the text of its pages."""
    root = copy_example(tmp_path_factory.mktemp("layout"))
    result = invoke(["build", "--all", "--to", "pdf"], cwd=root)
    assert result.exit_code == 0, result.output
    readers = {name: pypdf.PdfReader(root / "build" / f"{name}.pdf") for name in EXAMPLES}
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
        assert "electronic evidence situation report 2023’, Europol" in references
    # the 18 titles of issue #19 that end in a digit or a quotation of their own
    assert hard_cases == {"ministers": 2, "public": 2, "prosecutors": 7, "investigators": 7}
