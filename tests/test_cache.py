"""The scan cache: used when nothing changed, never after a change that matters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import briefgen.cache.scans as scans
import briefgen.cache.store as store
import briefgen.scan
from briefgen.cache import Store
from briefgen.cache.memory import CacheMemory
from briefgen.check import CheckResult, check
from briefgen.load import load_project
from tests.conftest import invoke


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files each call to the real scanner parsed."""
    calls: list[int] = []
    real = scans.scan_files

    def spy(inputs, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(inputs))
        return real(inputs, *args, **kwargs)

    monkeypatch.setattr(scans, "scan_files", spy)  # through the cache
    monkeypatch.setattr(briefgen.scan, "scan_files", spy)  # without it
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    return calls


def cached_check(root: Path) -> CheckResult:
    """A check with the project's cache, as the application layer runs it."""
    cache = CacheMemory.open(root, True)
    assert cache is not None
    return check(load_project(root, cache), memory=cache)


def findings(root: Path) -> list[str]:
    return [f"{f.file}:{f.line}:{f.rule}" for f in cached_check(root).findings]


def test_warm_check_parses_nothing_and_finds_the_same(project, counted: list[int]) -> None:  # type: ignore[no-untyped-def]
    root = project("constructs")
    cold = findings(root)
    warm = findings(root)
    assert counted == [1]
    assert warm == cold
    assert (root / ".briefgen-cache" / ".gitignore").is_file()


def test_an_edited_file_is_parsed_again(project, counted: list[int]) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    findings(root)
    path = root / "briefs/sections/anonymity.md"
    path.write_text(path.read_text() + "\nAn uncited sentence.\n", encoding="utf-8")
    assert findings(root) == ["briefs/sections/anonymity.md:18:uncited-claim"]
    assert counted == [2, 1]  # only the edited file


def test_bibliography_change_is_seen_through_the_cache(project, counted: list[int]) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    assert findings(root) == []
    bib = root / "references.bib"
    bib.write_text(bib.read_text().replace("@misc{budapest2001", "@misc{budapest2002"))
    assert "briefs/sections/cooperation.md:11:unknown-key" in findings(root)
    assert counted == [2]  # scans reused, findings recomputed against the new keys


def test_a_new_briefgen_version_misses(project, counted: list[int], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    findings(root)
    monkeypatch.setattr(store, "__version__", "99.0")
    findings(root)
    assert counted == [2, 2]


def test_corrupt_entries_are_misses_and_the_cache_can_be_deleted(
    project, counted: list[int]
) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    expected = findings(root)
    for entry in (root / ".briefgen-cache").rglob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    assert findings(root) == expected
    import shutil

    shutil.rmtree(root / ".briefgen-cache")
    assert findings(root) == expected
    assert counted == [2, 2, 2]


def test_cache_can_be_turned_off(project, counted: list[int], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    for _ in range(2):
        assert Store.open(root, use_cache=False) is None  # the one switch: no store
        check(load_project(root, None), memory=None)
    assert counted == [2, 2]
    assert not (root / ".briefgen-cache").exists()
    monkeypatch.setenv("BRIEFGEN_NO_CACHE", "1")  # the CLI's switch, read by Settings
    assert invoke(["check", "--project", str(root)]).exit_code == 0
    assert not (root / ".briefgen-cache").exists()


def test_front_matter_memo_gives_the_same_sections(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import REPO

    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    root = project("basic")
    for source in (REPO, root):
        first = load_project(source, CacheMemory.open(source, True))  # parses every front matter
        again = load_project(source, CacheMemory.open(source, True))  # reads them from the memo
        assert again.sections == first.sections
        assert again.findings == first.findings
    assert len(list((root / ".briefgen-cache" / "front-matter").glob("*.json"))) == 1


def test_front_matter_memo_follows_the_defined_audiences(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    root = project("basic")
    section = root / "briefs/sections/anonymity.md"
    section.write_text(
        section.read_text(encoding="utf-8").replace("audiences: [all]", "audiences: [ministers]"),
        encoding="utf-8",
    )
    assert "audiences: [ministers]" in section.read_text(encoding="utf-8")
    assert load_project(root, CacheMemory.open(root, True)).findings == ()
    config = root / "briefgen.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  ministers:", "  cabinet:"),
        encoding="utf-8",
    )
    rules = [f.rule for f in load_project(root, CacheMemory.open(root, True)).findings]
    assert "unknown-audience" in rules


def grades(root: Path) -> dict[str, float | None]:
    result = cached_check(root)
    return {name: stats.reading_grade for name, stats in result.briefs.items()}


def test_syllable_memo_gives_the_same_grade_without_the_dictionary(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import briefgen.readability as readability

    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    root = project("basic")
    cold = grades(root)
    assert cold and all(g is not None for g in cold.values())
    assert len(list((root / ".briefgen-cache" / "syllables").glob("*.json"))) == 1

    def no_dictionary(word: str) -> int:
        raise AssertionError(f"the dictionary was consulted for {word!r}")

    monkeypatch.setattr(readability, "syllables", no_dictionary)
    assert grades(root) == cold  # every word known: counted from the memo alone

    monkeypatch.setattr(store, "code_identity", lambda: "another briefgen")
    with pytest.raises(AssertionError, match="the dictionary was consulted"):
        grades(root)  # a memo from other code is not used


def entries(root: Path) -> set[str]:
    cache = root / ".briefgen-cache"
    return {p.relative_to(cache).as_posix() for p in cache.rglob("*.json")}


def test_entries_of_other_code_are_removed_and_this_codes_kept(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every key includes the code that wrote the entry, so an entry of other code (an
    older briefgen, another pandoc) can never be read again: the first write of a command
    empties the cache of them. This code's own entries stay from run to run."""
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    root = project("basic")
    cached_check(root)
    first = entries(root)
    assert any(e.startswith("scan/") for e in first)
    (root / "briefs/sections/extra.md").write_text(
        "---\ntitle: Extra\n---\nA claim [@europol2020iocta].\n", encoding="utf-8"
    )
    cached_check(root)
    assert first < entries(root)  # kept, and one more scan beside them

    monkeypatch.setattr(store, "code_identity", lambda: "another briefgen")
    cached_check(root)
    assert entries(root).isdisjoint(first)
    assert (root / ".briefgen-cache/.gitignore").is_file()


def test_pruning_never_follows_a_link_out_of_the_project(project, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    outside = tmp_path / "outside"
    (outside / "scan").mkdir(parents=True)
    keep = outside / "scan" / "precious.json"
    keep.write_text("{}", encoding="utf-8")

    root = project("basic")
    (root / ".briefgen-cache").mkdir()
    (root / ".briefgen-cache" / "scan").symlink_to(outside / "scan")  # a link inside
    (root / ".briefgen-cache" / "file").symlink_to(keep)
    assert store.prune(root)
    assert keep.read_text(encoding="utf-8") == "{}"
    assert not (root / ".briefgen-cache" / "scan").exists()

    linked = tmp_path / "linked"
    shutil.copytree(root, linked, ignore=shutil.ignore_patterns(".briefgen-cache"))
    (linked / ".briefgen-cache").symlink_to(outside)  # the cache directory itself
    assert not store.prune(linked)
    cached_check(linked)
    assert keep.read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in outside.rglob("*")) == ["precious.json", "scan"]
