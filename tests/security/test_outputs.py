"""Issue 15: content never injects code into an output. Link targets, image paths and
attributes that could carry code are raw-content errors at their place (briefgen.safety),
whatever allow_raw says, and a build is refused before pandoc writes anything."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import invoke
from tests.test_fail_closed import findings

Copy = Callable[[str], Path]
LINK = (
    "is not allowed in sections: a link goes to an http, https or mailto address, or to a "
    "#section of the brief"
)
ALLOWED = (
    "remove it (allowed: as-of, dir, except, height, lang, marking, only, title, until, width)"
)


@pytest.mark.parametrize(
    ("text", "column", "target"),
    [
        ("A [click](javascript:alert(1)) here", 11, "javascript:alert(1)"),
        ("A [click](JaVaScRiPt:alert(1)) here", 11, "JaVaScRiPt:alert(1)"),
        ("An autolink <javascript:alert(2)> here", 14, "javascript:alert(2)"),
        (
            "A [page](data:text/html;base64,PHNjcmlwdD4=) here",
            10,
            "data:text/html;base64,PHNjcmlwdD4=",
        ),
        ("A [vb](vbscript:msgbox) here", 8, "vbscript:msgbox"),
        ("A [file](file:///etc/passwd) here", 10, "file:///etc/passwd"),
        ("A [page](other.html) here", 10, "other.html"),
    ],
)
def test_link_targets_other_than_web_mail_and_anchors_are_refused(
    project: Copy, text: str, column: int, target: str
) -> None:
    assert findings(project, text + " [@owen2015tor].\n") == [
        (5, column, "raw-content", f"link target '{target}' {LINK}")
    ]


def test_web_mail_and_anchor_links_pass(project: Copy) -> None:
    body = (
        "See [the site](https://example.org), [plain](http://example.org), "
        "<https://example.org/a>, [mail](mailto:unit@example.org) and [below](#intro) "
        "[@owen2015tor].\n"
    )
    assert findings(project, body) == []


@pytest.mark.parametrize(
    ("text", "column", "attribute", "element"),
    [
        ('A [span]{onmouseover="alert(1)"} here', 9, "onmouseover", "span"),
        ('A [span]{style="position:fixed"} here', 9, "style", "span"),
        ('A [span]{typst:text:fill="red"} here', 9, "typst:text:fill", "span"),
        ('A [span]{custom-style="Title"} here', 9, "custom-style", "span"),
        ("A `code`{onclick=x} here", 10, "onclick", "code"),
        ('A [link](https://example.org){onclick="x"} here', 10, "onclick", "link"),
    ],
)
def test_attributes_that_could_carry_code_are_refused(
    project: Copy, text: str, column: int, attribute: str, element: str
) -> None:
    assert findings(project, text + " [@owen2015tor].\n") == [
        (
            5,
            column,
            "raw-content",
            f"attribute '{attribute}=' on a {element} is not allowed in sections: {ALLOWED}",
        )
    ]


def test_event_handlers_on_html_divs_and_headings_are_refused(project: Copy) -> None:
    body = '# Heading {onclick="x"}\n\n<div onmouseover="alert(1)">\nText [@owen2015tor].\n</div>\n'
    assert findings(project, body) == [
        (
            5,
            12,
            "raw-content",
            f"attribute 'onclick=' on a heading is not allowed in sections: {ALLOWED}",
        ),
        (
            7,
            1,
            "raw-content",
            f"attribute 'onmouseover=' on a div is not allowed in sections: {ALLOWED}",
        ),
    ]


def test_allow_raw_does_not_allow_code_in_links_or_attributes(project: Copy) -> None:
    root = project("basic")
    config = root / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "allow_raw: true\n", encoding="utf-8")
    section = root / "briefs/sections/cooperation.md"
    section.write_text(
        section.read_text(encoding="utf-8")
        + '\n\nA [click](javascript:alert(1)) and [x]{onclick="y"} [@owen2015tor].\n',
        encoding="utf-8",
    )
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 1
    assert "error raw-content: link target 'javascript:alert(1)'" in result.stderr
    assert "error raw-content: attribute 'onclick='" in result.stderr
    assert not (root / "build" / "note.html").exists()


def test_front_matter_text_is_one_line_of_plain_text_in_every_output(project: Copy) -> None:
    root = project("basic")
    section = root / "briefs/sections/cooperation.md"
    text = section.read_text(encoding="utf-8")
    title = text.splitlines()[1]
    assert title.startswith("title:")
    section.write_text(
        text.replace(
            title,
            'title: "Intro\\n\\nAn injected claim [@nosuchkey].\\n\\n<script>alert(1)</script>'
            '\\n\\n```{=typst}\\n#read(\\"/etc/passwd\\")\\n```"',
        ),
        encoding="utf-8",
    )
    brief = root / "briefs/note.yaml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace(
            "title: ", 'title: "<img src=x onerror=alert(1)> [link](javascript:x) @owen2015tor" #'
        ),
        encoding="utf-8",
    )
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 0, result.output
    html = (root / "build/note.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<img src=x" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as the text it is
    assert "Intro An injected claim [@nosuchkey]." in " ".join(html.split())  # one heading


def test_the_pdf_footer_shows_title_text_as_text(project: Copy) -> None:
    """Typst code in a title or short title is printed, never run (issue #19: the footer
    offers the title cut after each word)."""
    import pypdf

    root = project("basic")
    brief = root / "briefs/note.yaml"
    code = "#panic(1) ] $x$ #sys.version"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("title: ", f"title: '{code} ' #", 1),
        encoding="utf-8",
    )
    for short in (None, f"'{code} #panic()'"):
        if short is not None:
            brief.write_text(
                brief.read_text(encoding="utf-8") + f"short_title: {short}\n", encoding="utf-8"
            )
        result = invoke(["build", "note", "--to", "pdf", "--project", str(root)])
        assert result.exit_code == 0, result.output
        pages = pypdf.PdfReader(root / "build/note.pdf").pages
        footer = pages[-1].extract_text().splitlines()[-1]
        assert footer.startswith(code if short is None else f"{code} #panic()"), footer
        assert f"{code} " in pages[0].extract_text()  # the title page, too
