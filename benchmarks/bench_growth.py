"""Growth: cold check time at 100, 1,000 and 5,000 sections, and the cost per section.

Scaling is linear when the cost of each further section stays flat. That is judged on the
marginal cost, (T(large) - T(small)) / (large - small) between consecutive sizes, which takes
out the fixed start-up cost (Python, imports, the bibliography, pandoc's first start: about
0.8 s, which at 100 sections would dominate the average): each marginal cost must be within
1.5 times the one before it. The average cost per section at each size is printed too, and
above 1,000 sections it must also stay within 1.5 times the average at 1,000. Both corpora
are measured: the synthetic one (corpus.py) and the one made of real prose (realcorpus.py,
skipped when its text is absent).
"""

from __future__ import annotations

import itertools

from benchlib import Result, cold_check, corpora, corpus, corpus_option, medians, parser, report

TARGET = 1.5


def per_section_ms(seconds: float, sections: int) -> float:
    return seconds / sections * 1000


def measure(sizes: list[int], repeat: int, seed: int, kind: str = "synthetic") -> list[Result]:
    """Check time per size; each size's per-section cost against the reference size's."""
    label = "" if kind == "synthetic" else f", {kind}"
    print(f"corpus: {kind}")
    projects = [corpus(n, seed, kind=kind) for n in sizes]
    checks = [lambda project=project: cold_check(project) for project in projects]
    times = dict(zip(sizes, medians(repeat, *checks), strict=True))
    for n in sizes:
        print(f"{n:>6} sections: {times[n]:7.2f} s  {per_section_ms(times[n], n):6.2f} ms/section")
    for small, large in itertools.pairwise(sizes):
        marginal = per_section_ms(times[large] - times[small], large - small)
        print(f"marginal cost {small} -> {large} sections: {marginal:.2f} ms/section")
    results = []
    marginals = [
        (small, large, per_section_ms(times[large] - times[small], large - small))
        for small, large in itertools.pairwise(sizes)
    ]
    for (a, b, before), (_, d, after) in itertools.pairwise(marginals):
        results.append(
            Result(
                f"growth: marginal ms/section {b}->{d} (vs {a}->{b}){label}",
                after,
                before,
                "ms",
                after / before,
                TARGET,
            )
        )
    ref = 1000 if 1000 in times else max(sizes)
    ref_cost = per_section_ms(times[ref], ref)
    for n in sizes:
        if n > ref:
            cost = per_section_ms(times[n], n)
            results.append(
                Result(
                    f"growth: ms/section at {n} (vs {ref}){label}",
                    cost,
                    ref_cost,
                    "ms",
                    cost / ref_cost,
                    TARGET,
                )
            )
    flat = all(r.met for r in results)
    print(
        f"cost per further section {'stays' if flat else 'does not stay'} flat (within {TARGET}x)"
    )
    return results


def main() -> None:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100,1000,5000", help="comma-separated corpus sizes")
    p.add_argument("--max-sections", type=int, help="drop sizes above this")
    corpus_option(p)
    args = p.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.max_sections is not None:
        sizes = [n for n in sizes if n <= args.max_sections]
    results = []
    for kind in corpora(args.corpus):
        results += measure(sizes, args.repeat, args.seed, kind)
    report(results, args.results)


if __name__ == "__main__":
    main()
