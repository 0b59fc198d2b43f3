"""Cold check: `briefgen check` over N sections ÷ one bare pandoc parse of the same text.

The baseline is the least any checker built on pandoc's reader must do: parse every section
body once (`pandoc -f markdown -t json` over their concatenation). Target: ratio ≤ 1.0.
"""

from __future__ import annotations

from benchlib import (
    Result,
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
    check, bare = medians(repeat, lambda: cold_check(project), lambda: pandoc_parse(bodies))
    print(f"briefgen check, {sections} sections (cold): {check:.2f} s")
    print(f"pandoc -f markdown -t json, same bodies:    {bare:.2f} s")
    return Result(f"cold check, {sections} sections", check, bare, "s", check / bare, TARGET)


def main() -> None:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--sections", type=int, default=1000, help="section modules (default 1000)")
    args = p.parse_args()
    report([measure(args.sections, args.repeat, args.seed)], args.results)


if __name__ == "__main__":
    main()
