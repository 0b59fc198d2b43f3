"""Sentence boundaries and positions on real prose no one here wrote.

Builds a project from ../shared/corpora/meta-review/ (a published article written one
sentence per line, read where it lies, with a stub bibliography), runs `briefgen check` and
scores its findings against the lines: every uncited sentence reported once at its line and
column, none merged with another, none split, no cited sentence flagged.
Target: 0 merged or missed, 0 false splits, 0 misplaced, 0 cited flagged.

    python benchmarks/bench_realprose.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import realprose

from briefgen.check import check
from briefgen.gcpause import paused
from briefgen.load import load_project


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--show", action="store_true", help="print every finding that misses")
    args = p.parse_args()
    if not realprose.available():
        print(f"skipped: the corpus is not at {realprose.CORPUS}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        gold = realprose.build_project(root)
        started = time.perf_counter()
        with paused():  # as app.py runs every command
            result = check(load_project(root))  # no store: no cache
        seconds = time.perf_counter() - started
    score = realprose.score(gold, result.findings)
    print(f"corpus: {realprose.CORPUS}")
    print(f"prose sentences: {score.sentences}, of which uncited: {score.uncited}")
    print(f"check (cold, no cache): {seconds:.2f} s")
    rows = [
        ("uncited reported once at line and column", score.reported, score.uncited),
        ("uncited missed (merged with a neighbour or lost)", score.missed, 0),
        ("reported at the right line, wrong column", score.misplaced, 0),
        ("false splits (extra findings inside a sentence)", score.false_splits, 0),
        ("cited sentences flagged", score.cited_flagged, 0),
    ]
    met = True
    for label, value, target in rows:
        ok = value == target
        met &= ok
        print(f"{label}: {value} (target {target}: {'met' if ok else 'not met'})")
    if args.show:
        for line in score.stray:
            print("  stray:", line)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
