"""Run every benchmark script and print one table of figures, baselines, ratios and targets.

python benchmarks/run_all.py            # full sizes (1,000 sections; growth up to 5,000)
python benchmarks/run_all.py --quick    # 200 sections; growth at 200, 400 and 800
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import Result

HERE = Path(__file__).resolve().parent


def plan(quick: bool) -> list[list[str]]:
    """Each script with its arguments."""
    n = "200" if quick else "1000"
    sizes = "200,400,800" if quick else "100,1000,5000"
    return [
        ["bench_check_cold.py", "--sections", n],
        ["bench_growth.py", "--sizes", sizes],
        ["bench_check_warm.py", "--sections", n],
        ["bench_memory.py", "--sections", n],
        ["bench_build.py"],
        ["bench_latex.py"],
    ]


def machine() -> str:
    """CPU model, core count, Python and load, for the record."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{model}, nproc {os.cpu_count()}, Python {platform.python_version()}, load {load}"


def table(rows: list[Result]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| figure | measured | baseline | ratio | target | met |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.figure} | {r.measured:.2f} {r.unit} | {r.baseline:.2f} {r.unit} "
            f"| {r.ratio:.3f} | {r.target_text()} | {'yes' if r.met else 'no'} |"
        )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smaller corpora, no 5,000 sections")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement (median taken)")
    args = p.parse_args()
    print(f"machine: {machine()}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        results = Path(tmp) / "results.jsonl"
        for script, *extra in plan(args.quick):
            print(f"\n== {script} {' '.join(extra)}", flush=True)
            cmd = [sys.executable, str(HERE / script), *extra, "--repeat", str(args.repeat)]
            subprocess.run([*cmd, "--results", str(results)], check=True)
        rows = [Result(**json.loads(line)) for line in results.read_text().splitlines()]
    minutes = (time.perf_counter() - started) / 60
    print(f"\n{table(rows)}\n\n{len(rows)} figures in {minutes:.1f} min; machine: {machine()}")


if __name__ == "__main__":
    main()
