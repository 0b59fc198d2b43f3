"""LaTeX comparison: briefgen's PDF build (pandoc -> Typst -> typst) ÷ pandoc with xelatex.

Both make a PDF of the same 20-section brief with citations resolved. Runs only where
`xelatex` is on PATH and can build pandoc's LaTeX (Debian: texlive-xetex, lmodern,
texlive-latex-recommended, texlive-fonts-recommended, texlive-latex-extra); otherwise it
prints a skip message and exits 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench_build import SECTIONS, ieee_csl
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

TARGET = 0.2


def xelatex_pdf(project: Path, markdown: Path) -> float:
    """Seconds for pandoc to make the PDF through xelatex."""
    cmd = [pandoc(), "-f", "markdown", "--citeproc", "--bibliography", "references.bib"]
    cmd += ["--csl", str(ieee_csl()), "--pdf-engine=xelatex", str(markdown)]
    cmd += ["-o", str(temp_dir() / "brief.pdf")]
    return timed(lambda: run(cmd, cwd=project))


def briefgen_pdf(project: Path) -> float:
    copy, env, out = fresh_copy(project), fresh_env(), temp_dir()
    cmd = briefgen("build", "full", "--to", "pdf", "-o", str(out), "--project", str(copy))
    return timed(lambda: run(cmd, env))


def main() -> None:
    args = parser(__doc__.split("\n\n")[0]).parse_args()
    if shutil.which("xelatex") is None:
        print("bench_latex: skipped (xelatex is not on PATH)")
        return
    project = corpus(SECTIONS, args.seed)
    markdown = concatenated_bodies(project, SECTIONS)
    try:
        xelatex_pdf(project, markdown)  # a TeX installation without pandoc's packages fails
    except SystemExit as exc:
        missing = [line for line in str(exc).splitlines() if line.startswith("!")]
        print(f"bench_latex: skipped (xelatex cannot build the baseline: {' '.join(missing)})")
        return
    ours, latex = medians(
        args.repeat, lambda: briefgen_pdf(project), lambda: xelatex_pdf(project, markdown)
    )
    print(f"briefgen build --to pdf, {SECTIONS} sections: {ours:.2f} s")
    print(f"pandoc --pdf-engine=xelatex, same bodies:   {latex:.2f} s")
    result = Result(f"PDF vs xelatex, {SECTIONS} sections", ours, latex, "s", ours / latex, TARGET)
    report([result], args.results)


if __name__ == "__main__":
    main()
