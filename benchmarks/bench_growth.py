"""Growth: cold check time at 100, 1,000 and 5,000 sections, and the cost per section.

The per-section cost should stay roughly flat: at each size within 1.5 times the cost per
section at 1,000 sections (or at the largest size measured, when 1,000 is not among them).
The marginal cost between consecutive sizes (fixed start-up cost removed) is printed too.
"""

from __future__ import annotations

import itertools

from benchlib import Result, cold_check, corpus, medians, parser, report

TARGET = 1.5


def per_section_ms(seconds: float, sections: int) -> float:
    return seconds / sections * 1000


def measure(sizes: list[int], repeat: int, seed: int) -> list[Result]:
    """Check time per size; each size's per-section cost against the reference size's."""
    projects = [corpus(n, seed) for n in sizes]
    checks = [lambda project=project: cold_check(project) for project in projects]
    times = dict(zip(sizes, medians(repeat, *checks), strict=True))
    for n in sizes:
        print(f"{n:>6} sections: {times[n]:7.2f} s  {per_section_ms(times[n], n):6.2f} ms/section")
    for small, large in itertools.pairwise(sizes):
        marginal = per_section_ms(times[large] - times[small], large - small)
        print(f"marginal cost {small} -> {large} sections: {marginal:.2f} ms/section")
    ref = 1000 if 1000 in times else max(sizes)
    ref_cost = per_section_ms(times[ref], ref)
    results = [
        Result(
            f"growth: ms/section at {n} (vs {ref})",
            per_section_ms(times[n], n),
            ref_cost,
            "ms",
            per_section_ms(times[n], n) / ref_cost,
            TARGET,
        )
        for n in sizes
        if n != ref
    ]
    flat = all(r.met for r in results)
    print(f"per-section cost {'stays' if flat else 'does not stay'} within {TARGET}× of {ref}")
    return results


def main() -> None:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100,1000,5000", help="comma-separated corpus sizes")
    p.add_argument("--max-sections", type=int, help="drop sizes above this")
    args = p.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.max_sections is not None:
        sizes = [n for n in sizes if n <= args.max_sections]
    report(measure(sizes, args.repeat, args.seed), args.results)


if __name__ == "__main__":
    main()
