"""Issue 15: a forged ``.briefgen-cache`` entry never makes a check pass.

The cache directory is content (it can come with a checkout or a shared CI cache). Every
entry is signed with a per-user key kept outside the project; anything else there is a miss,
and without a usable key nothing is cached at all.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

import briefgen.cache.store as cache
from briefgen.cache import Store
from briefgen.cache.memos import FrontMatterMemo, SyllableMemo
from briefgen.load import load_config
from tests.conftest import invoke

Copy = Callable[[str], Path]

FAILING = (
    "briefs/sections/anonymity.md\n"
    "briefs/sections/anonymity.md:18:1: error uncited-claim: claim has no citation: cite a "
    "source ([@key]), or put analysis in a ::: judgment block\n"
    "    An uncited sentence.\n"
    "\n"
    "2 sections, 7 claims (6 cited, 1 uncited): 1 error, 0 warnings\n"
)
PASSING = "2 sections, 7 claims (7 cited, 0 uncited): 0 errors, 0 warnings\n"
UNCITED = b'"An uncited sentence.",[],"claim"'
CITED = b'"An uncited sentence.",["owen2015tor"],"claim"'


@pytest.fixture
def root(project: Copy, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The basic project with one uncited sentence, checked once (so its cache is full)."""
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    folder = project("basic")
    section = folder / "briefs/sections/anonymity.md"
    section.write_text(section.read_text(encoding="utf-8") + "\nAn uncited sentence.\n")
    assert check(folder) == (1, FAILING)
    return folder


def check(root: Path) -> tuple[int, str]:
    result = invoke(["check", "--project", str(root)])
    return result.exit_code, result.stdout


def opened(root: Path) -> Store:
    store = Store.open(root)
    assert store is not None
    return store


def read_entry(entry: Path) -> bytes | None:
    """The store's reading of the entry at ``entry`` (<root>/.briefgen-cache/<ns>/<key>.json)."""
    return opened(entry.parents[2]).get(entry.parent.name, entry.stem)


def write_entry(entry: Path, data: bytes) -> None:
    """The store's writing of ``data`` as the entry at ``entry``, signed with the key of
    whoever XDG_CACHE_HOME says is running."""
    opened(entry.parents[2]).put(entry.parent.name, entry.stem, data)


def payload(entry: Path) -> bytes:
    header, _, data = entry.read_bytes().partition(b"\n")
    assert header.startswith(b"briefgen-cache-1 ")
    return data


def scan_entry(root: Path) -> Path:
    """The scan of the section with the uncited sentence."""
    (entry,) = [
        p for p in (root / ".briefgen-cache").glob("scan/*.json") if UNCITED in p.read_bytes()
    ]
    return entry


def snapshot_entry(root: Path) -> Path:
    (entry,) = (root / ".briefgen-cache").glob("check/*.json")
    return entry


def forge_scan(root: Path) -> tuple[Path, bytes]:
    """The scan entry, and a payload saying its uncited sentence is cited; the snapshot is
    removed, so the next check reads the scan cache."""
    entry = scan_entry(root)
    shutil.rmtree(snapshot_entry(root).parent)
    return entry, payload(entry).replace(UNCITED, CITED)


def forge_snapshot(root: Path) -> tuple[Path, bytes]:
    """The snapshot entry, and a payload saying the check found nothing."""
    entry = snapshot_entry(root)
    document = json.loads(payload(entry))
    document["findings"] = []
    document["summary"].update(cited=7, uncited=0, errors=0)
    return entry, json.dumps(document).encode("utf-8")


def keep_old_mac(entry: Path, data: bytes, tmp_path: Path) -> None:
    header = entry.read_bytes().partition(b"\n")[0]
    entry.write_bytes(header + b"\n" + data)


def no_mac(entry: Path, data: bytes, tmp_path: Path) -> None:
    entry.write_bytes(data)  # an unsigned entry, as briefgen wrote them before


def another_key(entry: Path, data: bytes, tmp_path: Path) -> None:
    """Signed properly, but with someone else's key (another user, another CI runner)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
        write_entry(entry, data)
    assert (tmp_path / "another-user/briefgen/cache-key").is_file()


def mangled_header(entry: Path, data: bytes, tmp_path: Path) -> None:
    entry.write_bytes(b"briefgen-cache-1 " + b"0" * 64 + b"\n" + data)


SIGNINGS = [keep_old_mac, no_mac, another_key, mangled_header]


@pytest.mark.parametrize("forge", [forge_scan, forge_snapshot], ids=["scan", "snapshot"])
@pytest.mark.parametrize("sign", SIGNINGS, ids=lambda f: f.__name__)
def test_a_forged_entry_does_not_pass_the_check(
    root: Path,
    tmp_path: Path,
    forge: Callable[[Path], tuple[Path, bytes]],
    sign: Callable[[Path, bytes, Path], None],
) -> None:
    entry, data = forge(root)
    sign(entry, data, tmp_path)
    assert check(root) == (1, FAILING)
    assert check(root) == (1, FAILING)  # and the entry rewritten by that check is honest


@pytest.mark.parametrize("forge", [forge_scan, forge_snapshot], ids=["scan", "snapshot"])
def test_control_the_same_forgery_signed_with_the_users_key_would_pass(
    root: Path, forge: Callable[[Path], tuple[Path, bytes]]
) -> None:
    """What the tests above refuse is a real forgery: only the key stands in its way."""
    entry, data = forge(root)
    write_entry(entry, data)
    assert check(root) == (0, PASSING)


def test_a_renamed_entry_does_not_verify(root: Path) -> None:
    """A scan's name is its key: a validly signed entry moved to another name is a miss."""
    entry = scan_entry(root)
    shutil.rmtree(snapshot_entry(root).parent)
    other = next(p for p in entry.parent.glob("*.json") if p != entry)
    data = payload(entry).replace(UNCITED, CITED)
    write_entry(other, data)  # signed for the other name
    other.replace(entry)
    assert read_entry(entry) is None
    assert check(root) == (1, FAILING)


def json_findings(root: Path) -> list[str]:
    result = invoke(["check", "--format", "json", "--project", str(root)])
    assert result.exit_code == 1
    return [f"{f['file']}:{f['line']}:{f['rule']}" for f in json.loads(result.stdout)["findings"]]


def test_entries_without_a_mac_are_misses_for_every_cache(root: Path) -> None:
    """An unsigned entry (what briefgen wrote before entries were signed) is not read by
    the scan cache, the snapshot, the front-matter memo or the syllable memo."""
    assert json_findings(root) == ["briefs/sections/anonymity.md:18:uncited-claim"]
    folder = root / ".briefgen-cache"
    entries = sorted(p for p in folder.rglob("*.json"))
    assert [p.relative_to(folder).as_posix().split("/")[0] for p in entries] == [
        "check",
        "check",  # with the reading grade (json) and without (text)
        "front-matter",
        "scan",
        "scan",
        "syllables",
    ]
    audiences = load_config(root).audiences
    assert FrontMatterMemo(opened(root), audiences).old != {}
    assert SyllableMemo(opened(root)).counts != {}
    for entry in entries:
        assert read_entry(entry) == payload(entry)
        entry.write_bytes(payload(entry))
        assert read_entry(entry) is None, entry
    assert FrontMatterMemo(opened(root), audiences).old == {}
    assert SyllableMemo(opened(root)).counts == {}
    assert check(root) == (1, FAILING)
    assert json_findings(root) == ["briefs/sections/anonymity.md:18:uncited-claim"]
    assert all(read_entry(entry) is not None for entry in entries)  # written afresh


def signed_passing_cache(root: Path) -> None:
    """Make the project's cache a validly signed one that says the check passes."""
    entry = scan_entry(root)
    write_entry(entry, payload(entry).replace(UNCITED, CITED))
    write_entry(*forge_snapshot(root))


def _files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def link_cache(root: Path, outside: Path) -> None:
    (root / ".briefgen-cache").rename(outside)
    (root / ".briefgen-cache").symlink_to(outside)


def link_folders(root: Path, outside: Path) -> None:
    (root / ".briefgen-cache").rename(outside)
    (root / ".briefgen-cache").mkdir()
    for folder in outside.iterdir():
        (root / ".briefgen-cache" / folder.name).symlink_to(folder)


def link_entries(root: Path, outside: Path) -> None:
    (root / ".briefgen-cache").rename(outside)
    for path in outside.rglob("*"):
        mirror = root / ".briefgen-cache" / path.relative_to(outside)
        if path.is_dir():
            mirror.mkdir(parents=True)
        else:
            mirror.parent.mkdir(parents=True, exist_ok=True)
            mirror.symlink_to(path)


@pytest.mark.parametrize("link", [link_cache, link_folders, link_entries])
def test_a_cache_linked_outside_the_project_is_neither_read_nor_written(
    root: Path, tmp_path: Path, link: Callable[[Path, Path], None]
) -> None:
    outside = tmp_path / "outside-cache"
    signed_passing_cache(root)
    link(root, outside)
    before = _files(outside)
    assert check(root) == (1, FAILING)
    assert check(root) == (1, FAILING)
    assert _files(outside) == before
    # control: the same entries inside the project are honoured
    linked = root / ".briefgen-cache"
    if linked.is_symlink():
        linked.unlink()
    else:
        shutil.rmtree(linked)  # links only: rmtree does not follow them
    outside.rename(linked)
    assert check(root) == (0, PASSING)


def under_a_file(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (base / "file").write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "file/cache"))
    return base / "file/cache/briefgen"


def home_under_a_file(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (base / "file").write_text("not a directory", encoding="utf-8")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(base / "file"))
    return base / "file/.cache/briefgen"


def key_folder_is_a_file(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    (base / "briefgen").write_text("not a directory", encoding="utf-8")
    return base / "briefgen"


def _key(base: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, mode: int) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    (base / "briefgen").mkdir(mode=0o700)
    key = base / "briefgen/cache-key"
    key.write_bytes(data)
    key.chmod(mode)
    return key


def short_key(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return _key(base, monkeypatch, b"k" * 16, 0o600)


def long_key(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return _key(base, monkeypatch, b"k" * 33, 0o600)


def key_is_a_folder(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    (base / "briefgen/cache-key").mkdir(parents=True)
    return base / "briefgen/cache-key"


def world_writable_key(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return _key(base, monkeypatch, b"k" * 32, 0o666)


def group_writable_key(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return _key(base, monkeypatch, b"k" * 32, 0o620)


def key_is_a_link(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    (base / "briefgen").mkdir(mode=0o700)
    target = base / "elsewhere"
    target.write_bytes(b"k" * 32)
    target.chmod(0o600)
    (base / "briefgen/cache-key").symlink_to(target)
    return base / "briefgen/cache-key"


def key_is_a_fifo(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    (base / "briefgen").mkdir(mode=0o700)
    os.mkfifo(base / "briefgen/cache-key", 0o600)
    return base / "briefgen/cache-key"


def key_of_another_user(base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    key = _key(base, monkeypatch, b"k" * 32, 0o600)
    os.chown(key, os.getuid() + 1, -1)
    return key


UNUSABLE = [
    under_a_file,
    home_under_a_file,
    key_folder_is_a_file,
    short_key,
    long_key,
    key_is_a_folder,
    world_writable_key,
    group_writable_key,
    key_is_a_link,
    key_is_a_fifo,
    pytest.param(
        key_of_another_user,
        marks=pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away"),
    ),
]


@pytest.mark.parametrize("unusable", UNUSABLE)
def test_without_a_usable_key_nothing_is_cached(
    project: Copy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unusable: Callable[[Path, pytest.MonkeyPatch], Path],
) -> None:
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    base = tmp_path / "cache-home"
    base.mkdir()
    unusable(base, monkeypatch)
    before = _files(base)
    root = project("basic")
    section = root / "briefs/sections/anonymity.md"
    section.write_text(section.read_text(encoding="utf-8") + "\nAn uncited sentence.\n")
    assert check(root) == (1, FAILING)
    assert check(root) == (1, FAILING)
    assert not (root / ".briefgen-cache").exists()
    assert _files(base) == before  # the bad key is left as it was, not replaced


def test_the_key_is_made_once_private_and_outside_the_project(
    project: Copy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = project("basic")
    assert check(root)[0] == 0
    key = tmp_path / "home/.cache/briefgen/cache-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert len(key.read_bytes()) == 32
    assert sorted(p.name for p in key.parent.iterdir()) == ["cache-key"]  # no temporaries
    secret = key.read_bytes()
    assert check(root)[0] == 0
    assert key.read_bytes() == secret
    assert not any(secret in p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_a_link_that_stays_inside_the_project_is_followed(root: Path) -> None:
    entry = snapshot_entry(root)
    name = entry.relative_to(root / ".briefgen-cache")
    (root / ".briefgen-cache").rename(root / "cache-elsewhere")
    (root / ".briefgen-cache").symlink_to(root / "cache-elsewhere")
    assert read_entry(root / ".briefgen-cache" / name) == payload(entry)
    assert check(root) == (1, FAILING)


def test_an_entry_over_the_size_bound_is_a_miss(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry, data = forge_snapshot(root)
    write_entry(entry, data)  # validly signed: it would pass (see the control above)
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", entry.stat().st_size - 1)
    assert read_entry(entry) is None
    assert check(root) == (1, FAILING)


@pytest.mark.parametrize("special", ["fifo", "directory"])
def test_an_entry_that_is_not_a_regular_file_is_a_miss(root: Path, special: str) -> None:
    entry = snapshot_entry(root)
    entry.unlink()
    if special == "fifo":
        os.mkfifo(entry)  # reading it would block the check forever
    else:
        entry.mkdir()
    assert read_entry(entry) is None
    assert check(root) == (1, FAILING)
