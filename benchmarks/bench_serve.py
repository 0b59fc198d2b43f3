"""Serve: a one-section edit of a 20-section brief reaching the open page, ÷ a full build.

Three figures on the same generated 20-section brief (`full`), side by side:

- edit to page: in Chromium (Playwright), from just before a section file is written to the
  moment the open brief page shows the new sentence (a MutationObserver's clock; the median
  of --repeat edits, each one new uncited sentence). Target: ≤ 0.5 s.
- cold first page: from starting `briefgen serve` on a fresh copy (no cache) to the brief
  page received, for the 20-section brief and for the example project's investigators
  brief (this repository's own briefs). Target: ≤ 2 s.
- full build: `briefgen build full` to PDF, DOCX and HTML from a fresh copy, what a user
  without the workspace runs after each edit.

The ratio reported is edit-to-page ÷ full build.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchlib import Result, briefgen, corpus, fresh_copy, fresh_env, parser, report, run, temp_dir

SECTIONS = 20
TARGET_EDIT = 0.5
TARGET_COLD = 2.0
CHROMIUM = "/usr/bin/chromium"


REPO = Path(__file__).resolve().parent.parent


def example() -> Path:
    """A copy of the repository's own briefing project."""
    root = temp_dir() / "example"
    root.mkdir()
    for name in ("briefgen.yaml", "references.bib"):
        shutil.copy(REPO / name, root)
    shutil.copytree(REPO / "briefs", root / "briefs")
    return root


def start(project: Path, page: str = "brief/full") -> tuple[subprocess.Popen[bytes], str, float]:
    """A cold `briefgen serve` on a free port; its URL and seconds to the first page."""
    began = time.perf_counter()
    cmd = briefgen("serve", "--port", "0", "--project", str(project))
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, env=fresh_env())
    assert proc.stderr is not None
    line = proc.stderr.readline().decode("utf-8", "replace")
    match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    if match is None:
        proc.kill()
        raise SystemExit(f"briefgen serve did not start: {line}")
    url = match.group(1)
    with urllib.request.urlopen(url + page, timeout=60) as response:
        response.read()
    return proc, url, time.perf_counter() - began


OBSERVE = """marker => {
  window.__seen = 0;
  const observer = new MutationObserver(() => {
    if (document.body.innerText.includes(marker)) {
      window.__seen = Date.now();
      observer.disconnect();
    }
  });
  observer.observe(document.getElementById("main"), {childList: true, subtree: true});
}"""


def edits(url: str, project: Path, repeat: int) -> list[float]:
    """Seconds from each write of a section to the page showing it."""
    from playwright.sync_api import sync_playwright

    section = sorted((project / "briefs" / "sections").glob("*.md"))[SECTIONS // 2]
    original = section.read_text(encoding="utf-8")
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        page.goto(url + "brief/full")
        page.wait_for_selector("main h1")
        page.wait_for_timeout(1000)
        for i in range(repeat):
            marker = f"Edit number {i} reached the page"
            page.evaluate(OBSERVE, marker)
            written = time.time() * 1000
            section.write_text(original + f"\n{marker}.\n", encoding="utf-8")
            page.wait_for_function("() => window.__seen > 0", timeout=30000)
            seen = page.evaluate("() => window.__seen")
            times.append((seen - written) / 1000)
            page.wait_for_timeout(300)
    section.write_text(original, encoding="utf-8")
    return times


def build_once(project: Path) -> float:
    copy, out = fresh_copy(project), temp_dir()
    cmd = briefgen("build", "full", "--to", "pdf,docx,html", "-o", str(out), "--project", str(copy))
    began = time.perf_counter()
    run(cmd, fresh_env())
    return time.perf_counter() - began


def measure(repeat: int, seed: int) -> list[Result]:
    import statistics

    project = corpus(SECTIONS, seed)
    copy = fresh_copy(project)
    proc, url, cold = start(copy)
    try:
        edit = statistics.median(edits(url, copy, max(repeat, 5)))
    finally:
        proc.terminate()
        proc.wait(10)
    build = statistics.median(build_once(project) for _ in range(max(1, repeat)))
    colds = []
    for _ in range(max(1, repeat)):
        proc, _url, seconds = start(example(), "brief/investigators")
        proc.terminate()
        proc.wait(10)
        colds.append(seconds)
    cold_example = statistics.median(colds)
    print(f"example project: cold first page of the investigators brief {cold_example:.2f} s")
    print(f"{SECTIONS}-section brief   edit to page (median)   cold first page   full build")
    print(f"{'':22}{edit:12.2f} s {cold:17.2f} s {build:12.2f} s")
    return [
        Result(
            f"serve: edit to page, {SECTIONS} sections", edit, build, "s", edit / build,
            TARGET_EDIT, "measured", "baseline: a full build",
        ),
        Result(
            f"serve: cold first page, {SECTIONS} sections", cold, build, "s", cold / build,
            TARGET_COLD, "measured", "baseline: a full build",
        ),
        Result(
            "serve: cold first page, example project", cold_example, build, "s",
            cold_example / build, TARGET_COLD, "measured", "baseline: the 20-section build",
        ),
    ]


def main() -> None:
    args = parser(__doc__.split("\n\n")[0]).parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no browser at {CHROMIUM}")
    report(measure(args.repeat, args.seed), args.results)


if __name__ == "__main__":
    sys.exit(main())
