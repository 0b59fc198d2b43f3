"""Issue 15: a fuzzer over the attack battery. Sections are built from pieces of prose and
hostile constructs (bad link schemes, handlers, writer attributes, metadata blocks,
duplicate audience attributes, restricted blocks, images outside, raw code, deep nesting,
invisible characters), spliced together at random. Whatever hypothesis makes:

- ``check`` ends in a finding or a pass, never an internal error;
- a brief the check passes builds, and its HTML holds no script, no handler, no unsafe
  link, no file from outside the project and no text its audience may not see;
- a brief the check refuses writes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import PROJECTS, invoke

CANARY = "CANARY-5e1b"
SECRET = "RESTRICTED-4af0"  # only investigators may see it; the brief is for ministers
HEAD = "---\ntitle: Fuzz\n---\n\n"

PROSE = [
    "Offenders move between platforms [@owen2015tor].",
    "Cooperation is slow across borders [@owen2015tor; @owen2015tor].",
    "Short.",
    "See [the site](https://example.org) [@owen2015tor].",
    "*Emphasis* and `code` and **strong** [@owen2015tor].",
    "- a list item [@owen2015tor]\n- another [@owen2015tor]",
    "> A quotation [@owen2015tor].",
    "| a | b |\n|---|---|\n| 1 [@owen2015tor] | 2 |",
    "Footnote here.[^n] [@owen2015tor]\n\n[^n]: A note [@owen2015tor].",
    "::: judgment\nWe assess that it will grow.\n:::",
]
HOSTILE = [
    "A [x](javascript:alert(1)) link [@owen2015tor].",
    "A [x](JaVaScRiPt:alert(1)) link [@owen2015tor].",
    "An <javascript:alert(2)> autolink [@owen2015tor].",
    "A [x](data:text/html;base64,PHNjcmlwdD4=) link [@owen2015tor].",
    "A [x](vbscript:msgbox) link [@owen2015tor].",
    'A [span]{onmouseover="alert(1)"} here [@owen2015tor].',
    'A [span]{style="position:fixed"} here [@owen2015tor].',
    'A [span]{typst:text:fill="red"} here [@owen2015tor].',
    'A [span]{custom-style="Evil"} here [@owen2015tor].',
    '<div onmouseover="alert(1)">\nText [@owen2015tor].\n</div>',
    '<span onclick="x()">Text</span> [@owen2015tor].',
    "<script>alert(1)</script>",
    "```{=html}\n<script>alert(1)</script>\n```",
    "```{=typst}\n#read(\"/etc/passwd\")\n```",
    "`#read(\"/etc/passwd\")`{=typst}",
    "---\naudience: investigators\nmarking: TLP:CLEAR\ntitle: FORGED-TITLE\n---",
    '::: {.audience only="investigators" marking="TLP:AMBER"}\n'
    f"{SECRET} text [@owen2015tor].\n:::",
    '::: {.audience only="ministers" only="investigators" marking="TLP:AMBER"}\n'
    f"{SECRET} twice [@owen2015tor].\n:::",
    '::: {.audience except="ministers" except="public"}\n'
    f"{SECRET} except [@owen2015tor].\n:::",
    f'::: {{.audiance only="investigators"}}\n{SECRET} misspelt [@owen2015tor].\n:::',
    f'::: {{.audience only="investigators"}}\n{SECRET} unclosed [@owen2015tor].',
    f'Text\n::: {{.audience only="investigators"}}\n{SECRET} glued [@owen2015tor].\n:::',
    "![x](/etc/passwd) [@owen2015tor]",
    "![x](../outside/secret.png) [@owen2015tor]",
    "![x](file:///etc/passwd) [@owen2015tor]",
    "![x](link.png) [@owen2015tor]",
    "[portal]: javascript:alert(1)",
    "An uncited claim about offenders",
    "Two sentences merged without a space.And a second one [@owen2015tor].",
    "Hidden\u200bzero\u200bwidth text [@owen2015tor].",
    "Right\u202eto\u202cleft [@owen2015tor].",
    "[" * 12 + "deep" + "]" * 12 + " [@owen2015tor].",
    "<" * 50 + " [@owen2015tor].",
    "> " * 45 + "quoted [@owen2015tor].",
    "[@nosuchkey] cites nothing.",
    "{{ config.__class__ }} and {% raw %} [@owen2015tor].",
    "\x1b[31mESC\x1b[0m in text [@owen2015tor].",
]

pieces = st.one_of(st.sampled_from(PROSE), st.sampled_from(HOSTILE))
joiners = st.sampled_from(["\n\n", "\n", " ", ""])


@st.composite
def bodies(draw: st.DrawFn) -> str:
    parts = draw(st.lists(pieces, min_size=1, max_size=5))
    out = parts[0]
    for part in parts[1:]:
        out += draw(joiners) + part
    return out + "\n"


def _project(tmp: Path) -> Path:
    root = tmp / "basic"
    shutil.copytree(PROJECTS / "basic", root)
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"\x89PNG" + CANARY.encode())
    (root / "link.png").symlink_to(outside / "secret.png")
    return root


UNSAFE = re.compile(
    r"<script|<iframe|javascript:|vbscript:|data:text|\son[a-z]+=|typst:|custom-style", re.I
)


@settings(
    max_examples=int(os.environ.get("BRIEFGEN_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(body=bodies())
def test_no_mix_of_hostile_constructs_gets_past_check_and_build(body: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = _project(Path(tmp))
        section = root / "briefs/sections/cooperation.md"
        section.write_text(section.read_text(encoding="utf-8") + "\n" + body, encoding="utf-8")
        check = invoke(["check", "note", "--project", str(root)])
        assert check.exit_code in (0, 1), check.output
        build = invoke(["build", "note", "--to", "html", "--project", str(root)])
        assert build.exit_code in (0, 1), build.output
        html_path = root / "build/note.html"
        event("refused" if check.exit_code == 1 else "built")
        if check.exit_code == 1:
            assert build.exit_code == 1
            assert not html_path.exists()
            return
        assert build.exit_code == 0, build.output
        html = html_path.read_text(encoding="utf-8")
        body_html = html[html.index("<body") :]
        assert not UNSAFE.search(body_html), UNSAFE.search(body_html)
        assert CANARY not in html
        assert SECRET not in html
        assert "root:x:0:0" not in html  # /etc/passwd's first line
        title = html[html.index("<title>") : html.index("</title>")]
        assert "FORGED-TITLE" not in title and "TLP:CLEAR" in html
