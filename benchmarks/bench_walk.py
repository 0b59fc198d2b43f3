"""The claim rule alone: CPU seconds to walk pandoc's AST of N sections (not a ratio).

Each section is read by pandoc once, before timing; then `briefgen.scan.walk` (the claim rule,
with the locator and the sentence splitter) runs over every file, in this process, with the
cycle collector paused as the check pauses it. The best of `--repeat` runs is printed, per
corpus. This is the Python share of a cold check that the batching around it cannot hide.

    python benchmarks/bench_walk.py --sections 1000
"""

from __future__ import annotations

import time

from benchlib import corpora, corpus, corpus_option, parser

from briefgen.gcpause import paused
from briefgen.load import load_project
from briefgen.scan import ScanInput, walk
from briefgen.scan.pandoc import read_document


def measure(sections: int, repeat: int, seed: int, kind: str) -> float:
    """The best CPU time of ``repeat`` walks over the corpus's sections."""
    project = load_project(corpus(sections, seed, kind=kind))
    files = [
        ScanInput(s.source, s.body_offset, s.summary, s.summary_offset)
        for s in project.sections.values()
    ]
    parsed = [
        (read_document(f.source[f.body_offset :])[0], read_document(f.summary or "")[0])
        for f in files
    ]
    best = float("inf")
    with paused():
        for _ in range(max(1, repeat)):
            start = time.process_time()
            for item, (body, summary) in zip(files, parsed, strict=True):
                walk(item, body, summary)
            best = min(best, time.process_time() - start)
    print(f"walk of {sections} sections ({kind}): {best:.2f} CPU-s (best of {repeat})")
    return best


def main() -> None:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--sections", type=int, default=1000, help="section modules (default 1000)")
    corpus_option(p)
    args = p.parse_args()
    for kind in corpora(args.corpus):
        measure(args.sections, args.repeat, args.seed, kind)


if __name__ == "__main__":
    main()
