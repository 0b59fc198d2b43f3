"""Memory: peak RSS of a cold `briefgen check` over 1,000 sections. Target ≤ 400 MB.

Two figures are taken for the check: the largest single process (peak RSS from the kernel via
wait4, covering briefgen and the pandoc processes it waits for) and the whole process tree
(briefgen plus its concurrent pandoc children: proportional set size, so pages of the pandoc
binary shared by two processes count once, sampled from /proc every 10 ms); the larger is
reported. The baseline is the peak RSS of one bare pandoc parse of the same bodies.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from benchlib import (
    Result,
    briefgen,
    concatenated_bodies,
    corpus,
    fresh_copy,
    fresh_env,
    pandoc,
    parser,
    report,
)

TARGET_MB = 400.0


def _pss_kb(proc_dir: Path) -> int:
    """Proportional set size (kB): resident memory, shared pages split between their users."""
    rollup = (proc_dir / "smaps_rollup").read_text()
    return next((int(ln.split()[1]) for ln in rollup.splitlines() if ln.startswith("Pss:")), 0)


def _tree_pss_kb(root: int) -> int:
    """Memory (kB, PSS) of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        with contextlib.suppress(OSError):  # the process may have just exited
            total += _pss_kb(Path("/proc") / str(pid))
    return total


def peak_rss_mb(cmd: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(largest single process, sampled whole tree) peak RSS in MB of a command."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak_tree = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.is_set():
            peak_tree = max(peak_tree, _tree_pss_kb(proc.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return usage.ru_maxrss / 1024, peak_tree / 1024


def measure(sections: int, seed: int) -> Result:
    project = corpus(sections, seed)
    bodies = concatenated_bodies(project)
    copy = fresh_copy(project)
    single, tree = peak_rss_mb(
        briefgen("check", "--project", str(copy), "--format", "json"), fresh_env()
    )
    bare, _ = peak_rss_mb([pandoc(), "-f", "markdown", "-t", "json", str(bodies), "-o", os.devnull])
    check = max(single, tree)
    print(
        f"briefgen check, {sections} sections: largest process {single:.0f} MB, "
        f"process tree {tree:.0f} MB"
    )
    print(f"pandoc -f markdown -t json, same bodies: {bare:.0f} MB")
    return Result(
        f"peak RSS, check of {sections} sections",
        check,
        bare,
        "MB",
        check / bare,
        TARGET_MB,
        target_on="measured",
    )


def main() -> None:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--sections", type=int, default=1000, help="section modules (default 1000)")
    args = p.parse_args()
    report([measure(args.sections, args.seed)], args.results)


if __name__ == "__main__":
    main()
