"""Cold check: `briefgen check` over N sections ÷ one bare pandoc parse of the same text.

The baseline is the least any checker built on pandoc's reader must do: parse every section
body once (`pandoc -f markdown -t json` over their concatenation). Target: ratio ≤ 1.0, on
each corpus: the synthetic one (corpus.py) and the one made of real prose (realcorpus.py,
skipped when its text is absent). `--profile N` prints the N functions of briefgen's own
process that take most time (cProfile, one more cold check per corpus, not timed).
"""

from __future__ import annotations

import pstats
import statistics
from collections.abc import Callable

from benchlib import (
    Result,
    briefgen,
    child_cpu,
    cold_check,
    concatenated_bodies,
    corpora,
    corpus,
    corpus_option,
    fresh_copy,
    fresh_env,
    medians,
    pandoc_parse,
    parser,
    report,
    run,
    temp_dir,
)

TARGET = 1.0
LABELS = {"synthetic": "", "realprose": ", real prose"}


def measure(sections: int, repeat: int, seed: int, kind: str = "synthetic") -> Result:
    """Median cold check time and median bare pandoc time over the same corpus."""
    project = corpus(sections, seed, kind=kind)
    bodies = concatenated_bodies(project)
    cpu: dict[str, list[float]] = {"check": [], "bare": []}

    def with_cpu(name: str, action: Callable[[], float]) -> float:
        before = child_cpu()
        seconds = action()
        cpu[name].append(child_cpu() - before)
        return seconds

    check, bare = medians(
        repeat,
        lambda: with_cpu("check", lambda: cold_check(project)),
        lambda: with_cpu("bare", lambda: pandoc_parse(bodies)),
    )
    check_cpu, bare_cpu = (statistics.median(cpu[k]) for k in ("check", "bare"))
    label = LABELS[kind]
    print(f"briefgen check, {sections} sections{label} (cold): {check:.2f} s, ", end="")
    print(f"{check_cpu:.1f} CPU-s")
    print(f"pandoc -f markdown -t json, same bodies:    {bare:.2f} s, {bare_cpu:.1f} CPU-s")
    print(
        f"briefgen keeps {check_cpu / check:.2f} cores busy; on 2 idle cores its floor is "
        f"{check_cpu / 2 / bare:.2f} of the baseline (load from other work raises the ratio)"
    )
    return Result(f"cold check, {sections} sections{label}", check, bare, "s", check / bare, TARGET)


def profile(sections: int, seed: int, kind: str, top: int) -> None:
    """cProfile's top entries (own time) for one cold check of the corpus: briefgen's main
    thread, where the AST is walked (pandoc runs in other processes, waited on here)."""
    project = fresh_copy(corpus(sections, seed, kind=kind))
    out = temp_dir() / "check.prof"
    command = briefgen("check", "--project", str(project), "--format", "json")
    run([command[0], "-m", "cProfile", "-o", str(out), *command[1:]], fresh_env())
    print(f"\nprofile, {sections} sections{LABELS[kind]} (tottime, top {top}):")
    pstats.Stats(str(out)).strip_dirs().sort_stats("tottime").print_stats(top)


def main() -> None:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--sections", type=int, default=1000, help="section modules (default 1000)")
    p.add_argument("--profile", type=int, default=0, metavar="N", help="print a profile's top N")
    corpus_option(p)
    args = p.parse_args()
    results = []
    for kind in corpora(args.corpus):
        results.append(measure(args.sections, args.repeat, args.seed, kind))
        if args.profile:
            profile(args.sections, args.seed, kind, args.profile)
    report(results, args.results)


if __name__ == "__main__":
    main()
