"""Cold check: `briefgen check` over N sections ÷ one bare pandoc parse of the same text.

The baseline is the least any checker built on pandoc's reader must do: parse every section
body once (`pandoc -f markdown -t json` over their concatenation). Target: ratio ≤ 1.0.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

from benchlib import (
    Result,
    child_cpu,
    cold_check,
    concatenated_bodies,
    corpus,
    medians,
    pandoc_parse,
    parser,
    report,
)

TARGET = 1.0


def measure(sections: int, repeat: int, seed: int) -> Result:
    """Median cold check time and median bare pandoc time over the same corpus."""
    project = corpus(sections, seed)
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
    print(f"briefgen check, {sections} sections (cold): {check:.2f} s, {check_cpu:.1f} CPU-s")
    print(f"pandoc -f markdown -t json, same bodies:    {bare:.2f} s, {bare_cpu:.1f} CPU-s")
    print(
        f"briefgen keeps {check_cpu / check:.2f} cores busy; on 2 idle cores its floor is "
        f"{check_cpu / 2 / bare:.2f} of the baseline (load from other work raises the ratio)"
    )
    return Result(f"cold check, {sections} sections", check, bare, "s", check / bare, TARGET)


def main() -> None:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--sections", type=int, default=1000, help="section modules (default 1000)")
    args = p.parse_args()
    report([measure(args.sections, args.repeat, args.seed)], args.results)


if __name__ == "__main__":
    main()
