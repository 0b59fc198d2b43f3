"""Warm check and one-file-edited check, each ÷ a cold check of the same corpus.

Cold: a fresh copy of the project (so no `.briefgen-cache/`) and an empty XDG cache
directory. Warm: `check` run again on a project already checked, nothing changed (target
≤ 0.05). Edited: `check` after one section file changed (target ≤ 0.1). Without a cache
both ratios are near 1.
"""

from __future__ import annotations

from pathlib import Path

from benchlib import (
    Result,
    briefgen,
    cold_check,
    corpus,
    fresh_copy,
    fresh_env,
    medians,
    parser,
    report,
    run,
    section_files,
    timed,
)

TARGET_WARM = 0.05
TARGET_EDITED = 0.1


def edit(path: Path, n: int) -> None:
    """Change one section: add a cited sentence to its first paragraph."""
    text = path.read_text(encoding="utf-8")
    key = text.split("[@", 1)[1].split("]", 1)[0].split(",")[0].split(";")[0]
    head, body = text.split("\n---\n", 1)
    sentence = f"Edit number {n} changed this paragraph [@{key}]. "
    path.write_text(f"{head}\n---\n\n{sentence}{body.lstrip()}", encoding="utf-8")


def measure(sections: int, repeat: int, seed: int) -> list[Result]:
    project = corpus(sections, seed)
    copy, env = fresh_copy(project), fresh_env()
    cmd = briefgen("check", "--project", str(copy), "--format", "json")
    run(cmd, env)  # prime whatever cache there is
    files = iter(enumerate(section_files(copy), 1))

    def edited() -> float:
        n, path = next(files)  # a different file each time
        edit(path, n)
        return timed(lambda: run(cmd, env))

    # turns: cold, warm, edited; a warm run follows an edited one with nothing changed since
    cold, warm, one_edit = medians(
        repeat, lambda: cold_check(project), lambda: timed(lambda: run(cmd, env)), edited
    )
    print(f"cold check, {sections} sections:  {cold:.2f} s")
    print(f"warm check (nothing changed):  {warm:.2f} s")
    print(f"check after one file edited:   {one_edit:.2f} s")
    return [
        Result(f"warm check, {sections} sections", warm, cold, "s", warm / cold, TARGET_WARM),
        Result(
            f"one file edited, {sections} sections",
            one_edit,
            cold,
            "s",
            one_edit / cold,
            TARGET_EDITED,
        ),
    ]


def main() -> None:
    p = parser(__doc__.split("\n\n")[0])
    p.add_argument("--sections", type=int, default=1000, help="section modules (default 1000)")
    args = p.parse_args()
    report(measure(args.sections, args.repeat, args.seed), args.results)


if __name__ == "__main__":
    main()
