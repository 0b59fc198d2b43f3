"""Evidence (issue #17): does the check catch a citation to the wrong source, and at what cost?

On a project with source texts (``--project DIR``, default: this repository; a project
without any says so and exits 0):

- swapped citations: in each of ``--seeds`` runs a random ``--share`` (10 %) of the
  citations that can be judged (every key of the sentence has a source text) is replaced by
  another key with a source text. Recall = share of swapped citations whose sentence gets
  ``unsupported-figure`` or ``weak-support``; false flags = share of the untouched
  citations (in sentences with no swap) that get one. The swap is made in the check's scans
  (the sentence's keys), which is what editing the files gives the evidence stage, so the
  sections are parsed once; the first seed's swaps are also written into a copy of the
  files and checked there, and the flags compared. Targets: recall >= 0.9, false flags <=
  0.05. ``--sweep`` prints both for a range of thresholds (how THRESHOLD was chosen);
- figure check alone: every figure of a claim that its sources hold is taken out of them,
  one figure at a time; each must then be reported (target: all);
- speed: a cold check (empty cache) of a copy with its sources ÷ the same without them
  (target <= 1.25); a warm check's extra seconds (target <= 0.05 s); reading and indexing
  a 1,000-page PDF made with typst (target <= 10 s).

``--notes-from SOURCES.md`` first writes synthetic source notes into a copy of the project:
``sources/<key>.md`` holding the digest's points for each key (benchmarks/README.md,
"Calibrating the support threshold").
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from benchlib import briefgen, fresh_env, timed

from briefgen.check import check
from briefgen.evidence.engine import assess
from briefgen.evidence.figures import Figure, find_figures, source_values
from briefgen.evidence.locate import claims_of
from briefgen.evidence.support import FLOOR, THRESHOLD
from briefgen.evidence.texts import Library, SourceText, load_library
from briefgen.load import load_project

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(".briefgen-cache", "build", ".git")
ENTRY = re.compile(r"^\*\*([a-z0-9]+)\*\*\s*[–-]\s*(.*)$")


def notes_from_digest(project: Path, digest: Path) -> Path:
    """A copy of ``project`` with sources/<key>.md written from the digest's points."""
    copy = Path(tempfile.mkdtemp(prefix="briefgen-evidence-")) / "project"
    shutil.copytree(
        project, copy, ignore=shutil.ignore_patterns(".briefgen-cache", "build", ".git")
    )
    (copy / "sources").mkdir(exist_ok=True)
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", (copy / "references.bib").read_text(), re.M))
    key, lines = None, []
    for line in [*digest.read_text(encoding="utf-8").splitlines(), ""]:
        match = ENTRY.match(line)
        if match or (not line.strip() and key):
            if key in keys and lines:
                (copy / "sources" / f"{key}.md").write_text("\n".join(lines) + "\n")
            key, lines = (match.group(1), [match.group(2)]) if match else (None, [])
        elif key and line.startswith("- ") and "*Verified at" not in line:
            lines.append(line)
    return copy


def sentences(result) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """(section id, index) of every judged claim."""
    out = []
    for sid, scan in sorted(result.scans.items()):
        for i, s in enumerate(scan.sentences):
            rel = f"briefs/sections/{sid}.md"
            a = result.evidence.claims.get((rel, s.line, s.column))
            if a is not None and a.judged:
                out.append((sid, i))
    return out


def flags(evidence, threshold: float, floor: float = FLOOR) -> set[tuple[str, int, int, str]]:  # type: ignore[no-untyped-def]
    """The citations (file, line, column of the claim, key) the evidence flags: every key
    of a claim with an unsupported figure or weak support; one key scoring below the floor
    in a claim its other sources support."""
    out = set()
    for where, a in evidence.claims.items():
        if not a.judged:
            continue
        scores = {m.key: m.score for m in a.matches}
        for key in a.keys:
            weak = a.unsupported or a.support < threshold
            if weak or (len(a.keys) > 1 and scores.get(key, 0.0) < floor):
                out.add((*where, key))
    return out


def swapped_run(project, result, library: Library, seed: int, share: float):  # type: ignore[no-untyped-def]
    """The evidence of the project with ``share`` of the judged citations swapped, and
    the swapped and untouched citations as (file, line, column, key)."""
    rng = random.Random(seed)
    keys = sorted(library.texts)
    eligible = [
        (sid, i, k) for sid, i in sentences(result) for k in result.scans[sid].sentences[i].keys
    ]
    chosen = set(rng.sample(eligible, max(1, round(share * len(eligible)))))
    scans = dict(result.scans)
    swapped, touched, swaps = [], set(), []
    for sid, i, key in sorted(chosen):
        scan = scans[sid]
        sentence = scan.sentences[i]
        other = rng.choice([k for k in keys if k not in sentence.keys])
        new_keys = tuple(other if k == key else k for k in sentence.keys)
        listed = list(scan.sentences)
        listed[i] = sentence._replace(keys=new_keys)
        scans[sid] = replace(scan, sentences=tuple(listed))
        swaps.append((sid, i, key, other))
        where = (f"briefs/sections/{sid}.md", sentence.line, sentence.column)
        swapped.append((*where, other, len(sentence.keys) == 1))
        touched.add((*where, key))
    untouched = [
        (f"briefs/sections/{sid}.md", s.line, s.column, k)
        for sid, i, k in eligible
        for s in [result.scans[sid].sentences[i]]
        if (f"briefs/sections/{sid}.md", s.line, s.column, k) not in touched
    ]
    sections = list(project.sections.values())
    evidence = assess(project, sections, scans, result.bibliography, None, library)
    return evidence, swapped, untouched, swaps


def by_text(evidence, flagged) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """Flagged citations as (file, claim text, key): positions move when a key is edited."""
    return {(f, evidence.claims[(f, line, col)].text, k) for f, line, col, k in flagged}


def verify_with_files(root: Path, project, result, run) -> None:  # type: ignore[no-untyped-def]
    """The first seed's swaps written into a copy of the project's files and checked there:
    the flags must be the ones the swap in the scans gave."""
    evidence, _, _, swaps = run
    copy = Path(tempfile.mkdtemp(prefix="briefgen-evidence-")) / "project"
    shutil.copytree(root, copy, ignore=IGNORE)
    edits: dict[str, list[tuple[int, str, str]]] = {}
    for sid, i, key, other in swaps:
        wanted = result.scans[sid].sentences[i]
        for located in claims_of(project.sections[sid], result.scans[sid], None):
            if located.sentence == wanted:
                edits.setdefault(sid, []).extend(
                    (offset, key, other) for k, offset in located.citations if k == key
                )
    moved = 0
    for sid, changes in edits.items():
        text = project.sections[sid].source
        for offset, key, other in sorted(changes, reverse=True):
            if text[offset + 1 : offset + 1 + len(key)] != key:
                # a citation the scan places at its sentence (in a summary or a span whose
                # markup comes first): the nearest "@key" to it is the one swapped
                moved += 1
                near = [
                    p
                    for p in (text.rfind("@" + key, 0, offset + 1), text.find("@" + key, offset))
                    if p >= 0
                ]
                if not near:
                    raise SystemExit(f"{sid}: no @{key} to swap for {other}")
                offset = min(near, key=lambda p: abs(p - offset))
            text = text[: offset + 1] + other + text[offset + 1 + len(key) :]
        (copy / "briefs" / "sections" / f"{sid}.md").write_text(text, encoding="utf-8")
    on_disk = check(load_project(copy, None)).evidence
    same = by_text(on_disk, flags(on_disk, THRESHOLD)) == by_text(
        evidence, flags(evidence, THRESHOLD)
    )
    print(
        f"\nthe first seed's {len(swaps)} swaps written into a copy of the files and checked: "
        + ("the same flags as the swap in the scans" if same else "DIFFERENT flags")
        + (f" ({moved} citations found by the nearest @key)" if moved else "")
    )


def swapped_citations(
    project, result, library, seeds: range, share: float, sweep: bool, floor: float
) -> None:  # type: ignore[no-untyped-def]
    runs = [swapped_run(project, result, library, seed, share) for seed in seeds]
    verify_with_files(project.root, project, result, runs[0])
    thresholds = [x / 100 for x in range(15, 56, 5)] if sweep else [THRESHOLD]
    print(
        f"\nswapped citations (seeds {seeds.start}-{seeds.stop - 1}, {share:.0%} of judged "
        "citations each)"
    )
    print("| threshold | swapped | recall | recall, one-key claims | untouched | false flags |")
    print("| --- | --- | --- | --- | --- | --- |")
    for t in thresholds:
        caught = total = single = singles = false = clean = 0
        for evidence, swapped, untouched, _ in runs:
            flagged = flags(evidence, t, floor)
            for *where, alone in swapped:  # where: file, line, column, the new key
                hit = tuple(where) in flagged
                caught += hit
                single += hit and alone
                singles += alone
            total += len(swapped)
            false += sum(w in flagged for w in untouched)
            clean += len(untouched)
        mark = " (THRESHOLD)" if t == THRESHOLD else ""
        print(
            f"| {t:.2f}{mark} | {total} | {caught / total:.3f} | {single / max(1, singles):.3f} "
            f"| {clean} | {false / clean:.3f} |"
        )


def without(library: Library, keys: Iterable[str], figure: Figure) -> Library:
    """The library with every form of ``figure`` taken out of ``keys``' texts."""
    texts = dict(library.texts)
    for key in keys:
        altered = []
        for p in texts[key]:
            text = _blank(p.text, figure)
            altered.append(replace(p, text=text, values=source_values(text)))
        texts[key] = tuple(altered)
    return Library(texts, library.findings, library.files)


def _blank(text: str, figure: Figure) -> str:
    wanted = set(figure.values)
    for found in reversed(find_figures(text, claim=False)):
        if source_values(found.raw) & wanted:
            text = text[: found.start] + "[removed]" + text[found.end :]
    return text


def figure_check(project, result, library: Library, limit: int) -> None:  # type: ignore[no-untyped-def]
    sections = list(project.sections.values())
    cases = [
        (where, a, f)
        for where, a in sorted(result.evidence.claims.items())
        if a.judged
        for f in a.figures
        if f not in a.unsupported
    ][:limit]
    reported = 0
    for where, a, figure in cases:
        altered = without(library, a.keys, figure)
        evidence = assess(project, sections, result.scans, result.bibliography, None, altered)
        after = evidence.claims[where]
        reported += any(f.values == figure.values for f in after.unsupported)
    print(
        f"\nfigure check alone: {reported} / {len(cases)} figures taken out of the sources "
        "reported (target: all)"
    )


def speed(project: Path, repeat: int) -> None:
    bare = Path(tempfile.mkdtemp(prefix="briefgen-evidence-")) / "bare"
    shutil.copytree(
        project, bare, ignore=shutil.ignore_patterns(".briefgen-cache", "build", ".git", "sources")
    )

    def cold(root: Path) -> float:
        copy = Path(tempfile.mkdtemp(prefix="briefgen-evidence-")) / "p"
        shutil.copytree(
            root, copy, ignore=shutil.ignore_patterns(".briefgen-cache", "build", ".git")
        )
        env = fresh_env()
        return timed(lambda: _check(copy, env))

    def warm(root: Path) -> float:
        _check(root, WARM)
        return timed(lambda: _check(root, WARM))

    with_sources, plain = [], []
    warm_with, warm_plain = [], []
    for _ in range(repeat):
        with_sources.append(cold(project))
        plain.append(cold(bare))
        warm_with.append(warm(project))
        warm_plain.append(warm(bare))
    a, b = statistics.median(with_sources), statistics.median(plain)
    wa, wb = statistics.median(warm_with), statistics.median(warm_plain)
    print("\nspeed (median of", repeat, "runs)")
    print("| measure | with sources | without | figure | target |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| cold check | {a:.2f} s | {b:.2f} s | x{a / b:.2f} | <= x1.25 |")
    print(f"| warm check | {wa:.3f} s | {wb:.3f} s | +{wa - wb:.3f} s | <= +0.05 s |")
    print(f"| 1,000 PDF pages read and indexed | {pdf_pages_timing():.2f} s | | | <= 10 s |")


WARM = fresh_env()


def _check(root: Path, env: dict[str, str]) -> None:
    import subprocess

    subprocess.run(
        briefgen("check", "--project", str(root), "--format", "json"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def pdf_pages_timing() -> float:
    import typst

    from briefgen.evidence.passages import Index, passages
    from briefgen.evidence.texts import read_pages

    root = Path(tempfile.mkdtemp(prefix="briefgen-evidence-"))
    words = " ".join(f"Offenders moved {n} servers across borders in 2019." for n in range(40))
    body = "\n#pagebreak()\n".join(f"= Page {n}\n{words}" for n in range(1000))
    (root / "big.typ").write_text("#set page(height: auto)\n" + body)
    typst.compile(str(root / "big.typ"), output=str(root / "big.pdf"))
    start = time.perf_counter()
    pages = read_pages(root, root / "big.pdf")
    Index({"big": passages(SourceText("big", "big.pdf", pages))})
    elapsed = time.perf_counter() - start
    assert len(pages) == 1000, len(pages)
    return elapsed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--project", type=Path, default=ROOT)
    p.add_argument("--notes-from", type=Path, help="write synthetic notes from this digest")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--first-seed", type=int, default=101, help="calibrated on seeds 1-5")
    p.add_argument("--share", type=float, default=0.1)
    p.add_argument("--sweep", action="store_true", help="recall and false flags per threshold")
    p.add_argument("--floor", type=float, default=FLOOR, help="a lone source's floor")
    p.add_argument("--figures", type=int, default=200, help="figures to take out, at most")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-speed", action="store_true")
    args = p.parse_args()
    root = args.project.resolve()
    if args.notes_from is not None:
        root = notes_from_digest(root, args.notes_from)
        print(f"synthetic notes from {args.notes_from} in {root}/sources")
    project = load_project(root, None)
    result = check(project)
    library = load_library(root, result.bibliography)
    if not library.texts:
        print(
            f"{root} has no source texts (sources/<key>.md|.txt|.pdf|.html or file fields): "
            "nothing to measure; give --project DIR or --notes-from SOURCES.md"
        )
        return
    cited = {k for scan in result.scans.values() for s in scan.sentences for k in s.keys}
    judged = sentences(result)
    print(
        f"project {root}: {len(library.texts)} keys with source text, "
        f"{len(cited & set(library.texts))} of {len(cited)} cited keys; "
        f"{len(judged)} judged claims; findings as it is: "
        + ", ".join(f"{r} {n}" for r, n in _rules(result.findings))
    )
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    swapped_citations(project, result, library, seeds, args.share, args.sweep, args.floor)
    figure_check(project, result, library, args.figures)
    if not args.no_speed:
        speed(root, args.repeat)


def _rules(findings) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    counts: dict[str, int] = {}
    for f in findings:
        if f.rule in ("unsupported-figure", "weak-support", "pinpoint-mismatch"):
            counts[f.rule] = counts.get(f.rule, 0) + 1
    return sorted(counts.items()) or [("none", 0)]


if __name__ == "__main__":
    sys.exit(main())
