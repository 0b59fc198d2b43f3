"""Shared helpers for the benchmark scripts: corpora in temp dirs, timing, tools, results.

Every figure is a ratio against a baseline measured in the same run, so the numbers can be
compared across machines; nothing here compares against a hard-coded time.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import realcorpus
from corpus import generate

ENTRIES = 300  # bibliography size of every benchmark corpus
_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")


@dataclass(frozen=True)
class Result:
    """One row of the results table."""

    figure: str
    measured: float
    baseline: float
    unit: str  # unit of measured and baseline ("s", "ms", "MB")
    ratio: float
    target: float  # the ratio (or, with target_on="measured", the measurement) must be <= it
    target_on: str = "ratio"
    note: str = ""

    @property
    def met(self) -> bool:
        value = self.measured if self.target_on == "measured" else self.ratio
        return value <= self.target

    def target_text(self) -> str:
        unit = f" {self.unit}" if self.target_on == "measured" else ""
        return f"≤ {self.target}{unit}"


# --------------------------------------------------------------------------- arguments


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the options every benchmark script shares."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement (median taken)")
    p.add_argument("--seed", type=int, default=1, help="corpus seed")
    p.add_argument("--results", type=Path, help="append results as JSON lines to this file")
    return p


def report(results: Sequence[Result], path: Path | None) -> None:
    """Print each result's ratio and verdict; append them to ``path`` when given."""
    for r in results:
        verdict = "met" if r.met else "not met"
        print(
            f"{r.figure}: {r.measured:.3g} {r.unit} vs baseline {r.baseline:.3g} {r.unit}, "
            f"ratio {r.ratio:.3f} (target {r.target_text()}: {verdict})"
        )
    if path is not None:
        with path.open("a", encoding="utf-8") as handle:
            for r in results:
                handle.write(json.dumps(asdict(r)) + "\n")


# --------------------------------------------------------------------------- corpora


def temp_dir(prefix: str = "briefgen-bench-") -> Path:
    """A fresh temporary directory, removed when the script exits."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, True)
    return path


CORPORA = ("synthetic", "realprose")  # corpus.py; realcorpus.py (real prose, if present)


def corpus(sections: int, seed: int = 1, entries: int = ENTRIES, kind: str = "synthetic") -> Path:
    """Generate a corpus into a temporary directory and return the project root."""
    root = temp_dir() / "project"
    if kind == "realprose":
        realcorpus.generate(root, sections, seed)
    else:
        generate(root, sections, min(entries, sections * 30), seed)
    return root


def corpora(names: str) -> list[str]:
    """The corpora named (comma-separated), without the real-prose one when its text is
    absent (said once, on stdout)."""
    kinds = [k for k in names.split(",") if k]
    unknown = set(kinds).difference(CORPORA)
    if unknown:
        raise SystemExit(f"unknown corpus {sorted(unknown)}: choose from {', '.join(CORPORA)}")
    if "realprose" in kinds and not realcorpus.available():
        print(f"skipped: the real-prose corpus, which is not at {realcorpus.CORPUS}")
        kinds.remove("realprose")
    return kinds


def corpus_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--corpus",
        default=",".join(CORPORA),
        help="comma-separated corpora: synthetic (corpus.py), realprose (realcorpus.py)",
    )


def fresh_copy(project: Path) -> Path:
    """A copy of the project in a new temporary directory (so no cache survives)."""
    return Path(shutil.copytree(project, temp_dir() / "project"))


def fresh_env() -> dict[str, str]:
    """The environment with an empty XDG cache directory, for cold runs."""
    return {**os.environ, "XDG_CACHE_HOME": str(temp_dir("briefgen-cache-"))}


def section_files(project: Path, limit: int | None = None) -> list[Path]:
    return sorted((project / "briefs" / "sections").glob("*.md"))[:limit]


def concatenated_bodies(project: Path, limit: int | None = None) -> Path:
    """All section bodies (front matter stripped, footnote labels made unique) in one file."""
    parts = []
    for path in section_files(project, limit):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        parts.append(_FOOTNOTE.sub(f"[^{path.stem}-\\1]", body))
    out = temp_dir() / "all.md"
    out.write_text("\n\n".join(parts), encoding="utf-8")
    return out


# --------------------------------------------------------------------------- tools and timing


def pandoc() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def briefgen(*args: str) -> list[str]:
    """The command line running briefgen with this interpreter."""
    return [sys.executable, "-m", "briefgen", *args]


def run(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
    """Run a command, output discarded; fail loudly if it fails."""
    proc = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd, check=False
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")[-2000:]
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")


def timed(action: Callable[[], object]) -> float:
    """Wall-clock seconds one call of ``action`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def child_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def medians(repeat: int, *measures: Callable[[], float]) -> list[float]:
    """The median of ``repeat`` runs of each measurement (each returns seconds).

    The measurements take turns (a, b, a, b, ...), so load from other work on the machine
    falls on a figure and its baseline alike.
    """
    runs: list[list[float]] = [[] for _ in measures]
    for _ in range(max(1, repeat)):
        for times, measure in zip(runs, measures, strict=True):
            times.append(measure())
    return [statistics.median(times) for times in runs]


def cold_check(project: Path) -> float:
    """Seconds for one `briefgen check --format json` on a fresh copy with an empty cache."""
    copy, env = fresh_copy(project), fresh_env()
    return timed(lambda: run(briefgen("check", "--project", str(copy), "--format", "json"), env))


def pandoc_parse(markdown: Path) -> float:
    """Seconds for one `pandoc -f markdown -t json` over a file."""
    return timed(lambda: run([pandoc(), "-f", "markdown", "-t", "json", str(markdown)]))
