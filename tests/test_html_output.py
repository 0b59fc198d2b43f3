"""The HTML as a reader and a printer see it (issue #19, item 8): one <h1>, the title; the
brief's headings from <h2> down; the marking banner sticky on screen and on every printed
page; an inline note drawn inline. Structure through html.parser; the look in Chromium via
Playwright, skipped (with the reason) where either is missing."""

from __future__ import annotations

import io
import itertools
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest

from tests.conftest import copy_example, invoke

CHROMIUM = Path("/usr/bin/chromium")


class Outline(HTMLParser):
    """The headings of a page in order, with their text, and the marking banners."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.banners = 0
        self._level: int | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._level, self._text = int(tag[1]), []
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "marking-banner" in classes:
            self.banners += 1

    def handle_endtag(self, tag: str) -> None:
        if self._level is not None and tag == f"h{self._level}":
            self.headings.append((self._level, " ".join("".join(self._text).split())))
            self._level = None

    def handle_data(self, data: str) -> None:
        if self._level is not None:
            self._text.append(data)


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("html"))
    result = invoke(["build", "public", "ministers", "--to", "html"], cwd=root)
    assert result.exit_code == 0, result.output
    return root / "build"


def outline(path: Path) -> Outline:
    parser = Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("brief", ["public", "ministers"])
def test_html_has_one_h1_the_title_and_sections_from_h2(public: Path, brief: str) -> None:
    page = outline(public / f"{brief}.html")
    levels = [level for level, _ in page.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    title = page.headings[0][1]
    assert title.startswith(("Why cross-border", "Barriers to prosecuting"))
    # no level is skipped on the way down: h1, then h2, h3 ...
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    sections = [text for level, text in page.headings if level == 2]
    assert "References" in sections and len(sections) >= 4  # the ministers note has no Purpose
    assert page.banners == 2


def test_html_section_headings_are_h2_in_the_contents_too(public: Path) -> None:
    html = (public / "public.html").read_text(encoding="utf-8")
    assert '<h2 id="sec-overview"' in html or 'id="sec-overview"' in html
    contents = html[html.index('<nav id="TOC"') : html.index("</nav>")]
    assert contents.count("<li>") >= 10  # Purpose, summary, nine sections, References


# --------------------------------------------------------------------------- in Chromium


def _browser():  # type: ignore[no-untyped-def]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: pip install '.[test]' (it is a test extra)")
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)")
    return sync_playwright


@pytest.fixture(scope="module")
def chromium(public: Path):  # type: ignore[no-untyped-def]
    sync_playwright = _browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        page.goto((public / "public.html").as_uri())
        yield page
        browser.close()


def test_marking_banner_stays_at_the_top_of_the_window_when_scrolled(chromium) -> None:  # type: ignore[no-untyped-def]
    chromium.evaluate("window.scrollTo(0, 4000)")
    assert chromium.evaluate("window.scrollY") >= 4000
    top = chromium.evaluate(
        "document.querySelector('.marking-banner').getBoundingClientRect().top"
    )
    assert top == 0
    # and the text under it is the marking, in the marking's colour on black
    style = chromium.evaluate(
        "(() => { const b = document.querySelector('.marking-banner');"
        " return [b.innerText, getComputedStyle(b).backgroundColor,"
        " getComputedStyle(b.querySelector('span')).color]; })()"
    )
    assert style == ["Public", "rgb(0, 0, 0)", "rgb(255, 255, 255)"]


def test_inline_note_is_drawn_inline_not_as_a_box(chromium) -> None:  # type: ignore[no-untyped-def]
    found = chromium.evaluate(
        "(() => { const n = document.querySelector('span.note'); const s = getComputedStyle(n);"
        " return [s.display, s.borderLeftWidth, s.marginTop, s.marginLeft,"
        " n.getClientRects().length]; })()"
    )
    display, border, margin_top, margin_left, lines = found
    assert (display, border, margin_top, margin_left) == ("inline", "0px", "0px", "0px")
    assert lines >= 1
    block = chromium.evaluate(
        "getComputedStyle(document.querySelector('div.note')).borderLeftWidth"
    )
    assert block == "4px"  # the Note block keeps its box


MARGIN = 2.2 / 2.54 * 72  # the print CSS's @page margin (2.2 cm) in points


def placed(page: pypdf.PageObject) -> list[tuple[float, str]]:
    """Each piece of a page's text with its height on the page (points from the bottom)."""
    spots: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            spots.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], " ".join(text.split())))

    page.extract_text(visitor_text=visit)
    return spots


@pytest.fixture(scope="module")
def printed(chromium) -> list[pypdf.PageObject]:  # type: ignore[no-untyped-def]
    pdf = chromium.pdf(format="A4", print_background=True)
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_every_printed_page_carries_the_marking_at_head_and_foot(
    printed: list[pypdf.PageObject],
) -> None:
    assert len(printed) >= 5
    for number, page in enumerate(printed, 1):
        height = float(page.mediabox.height)
        spots = placed(page)
        head = " ".join(text for y, text in spots if y > height - MARGIN)
        foot = " ".join(text for y, text in spots if y < MARGIN)
        assert "Public" in head, f"page {number}: head margin holds {head!r}"
        assert "Public" in foot, f"page {number}: foot margin holds {foot!r}"
        assert f"Page {number} of {len(printed)}" in foot, f"page {number}: {foot!r}"


def test_printed_marking_stays_in_the_margin_clear_of_the_text(
    printed: list[pypdf.PageObject],
) -> None:
    """The running marking sits in the page margins; the text stays between them."""
    for number, page in enumerate(printed[1:-1], 2):
        height = float(page.mediabox.height)
        spots = placed(page)
        footer = {"Public", "Page", "of", str(number), str(len(printed))}
        body = [(y, t) for y, t in spots if t not in footer and not t.startswith("Page ")]
        assert body
        outside = [(y, t) for y, t in body if not MARGIN <= y <= height - MARGIN]
        assert not outside, f"page {number}: text in the margins: {outside[:3]}"


def test_no_printed_page_ends_with_a_heading_or_label(printed: list[pypdf.PageObject]) -> None:
    labels = {"Assessment", "Recommendation", "Note"}
    for number, page in enumerate(printed, 1):
        height = float(page.mediabox.height)
        body = [(y, t) for y, t in placed(page) if MARGIN <= y <= height - MARGIN]
        if not body:
            continue
        lowest = min(y for y, _ in body)
        last_line = " ".join(t for y, t in body if abs(y - lowest) < 1)
        assert last_line not in labels, f"page {number} ends with {last_line!r}"
