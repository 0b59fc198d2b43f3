"""The import contract: the layers of src/briefgen/ hold (read from the source's AST).

cli (Click) -> app (one function per command) -> the stages (load, check, assemble,
render) -> the model. Only the CLI talks to the terminal; only settings.py reads the
user's switches from the environment; the claim rule imports no I/O.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "briefgen"


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).with_suffix("").as_posix().replace("/", ".")
        yield name, ast.parse(path.read_text(encoding="utf-8"), str(path))


def imported(tree: ast.Module) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def uses(tree: ast.Module, dotted: str) -> bool:
    """Whether the file mentions ``dotted`` (e.g. ``os.environ``) as an attribute."""
    base, attribute = dotted.rsplit(".", 1)
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == attribute
        and isinstance(node.value, ast.Name)
        and node.value.id == base
        for node in ast.walk(tree)
    )


def calls(tree: ast.Module, name: str) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
        for node in ast.walk(tree)
    )


ALL = dict(modules())


def in_cli(name: str) -> bool:
    """Whether module ``name`` is part of the CLI package (cli/)."""
    return name.split(".")[0] == "cli"


def test_only_the_cli_imports_click() -> None:
    users = sorted(n for n, t in ALL.items() if any(i.startswith("click") for i in imported(t)))
    assert users and all(in_cli(n) for n in users), users


def in_front_end(name: str) -> bool:
    """Whether module ``name`` is a front end over the app: the CLI, or the web workspace
    (web/, briefgen serve), which calls the same app functions and never imports click."""
    return in_cli(name) or name.split(".")[0] == "web"


def test_only_the_cli_and_main_reach_the_cli_and_only_the_front_ends_the_app() -> None:
    reaching = sorted(n for n, t in ALL.items() if "briefgen.cli" in imported(t))
    assert [n for n in reaching if not in_cli(n)] == ["__main__"]
    app_users = sorted(n for n, t in ALL.items() if "briefgen.app" in imported(t))
    assert app_users and all(in_front_end(n) for n in app_users), app_users


def test_the_library_never_prints_nor_exits() -> None:
    offenders = [
        name
        for name, tree in ALL.items()
        if not in_cli(name) and (calls(tree, "print") or uses(tree, "sys.exit"))
    ]
    assert offenders == []


#: Who may read os.environ, and why. settings.py reads the user's switches
#: (BRIEFGEN_NO_CACHE, SOURCE_DATE_EPOCH, NO_COLOR, BRIEFGEN_DEBUG) once for the entry point.
#: The other two locate resources outside briefgen and pass the environment on to a child:
#: the per-user cache key (XDG_CACHE_HOME), pandoc's binary (PYPANDOC_PANDOC) and its heap
#: (GHCRTS), and pandoc's environment (SOURCE_DATE_EPOCH for the DOCX's dates).
ENVIRONMENT_READERS = {"settings", "cache.store", "scan.pandoc"}


def test_only_settings_and_the_resource_adapters_read_the_environment() -> None:
    readers = {n for n, tree in ALL.items() if uses(tree, "os.environ") or uses(tree, "os.getenv")}
    assert readers <= ENVIRONMENT_READERS, readers - ENVIRONMENT_READERS


def test_only_gcpause_touches_the_garbage_collector() -> None:
    assert sorted(n for n, t in ALL.items() if "gc" in imported(t)) == ["gcpause"]


def test_only_the_app_decides_on_the_garbage_collector() -> None:
    """One place pauses the cycle collector: the application layer's commands."""
    users = sorted(
        n for n, t in ALL.items() if any(i.startswith("briefgen.gcpause") for i in imported(t))
    )
    assert users == ["app"]


def _imports_the_cache(tree: ast.Module) -> bool:
    return any(i == "briefgen.cache" or i.startswith("briefgen.cache.") for i in imported(tree))


def test_only_the_app_and_the_cache_package_touch_the_cache() -> None:
    """The stages take a briefgen.memory.Memory (a protocol); app.py opens the one
    implementation, briefgen.cache.CacheMemory, and passes it down."""
    users = {n for n, t in ALL.items() if _imports_the_cache(t) and not n.startswith("cache.")}
    assert users == {"app"}, users


def test_the_memory_seam_knows_nothing_of_the_cache() -> None:
    assert "memory" in ALL and not _imports_the_cache(ALL["memory"])


def test_the_cache_package_holds_every_cache() -> None:
    names = {n for n in ALL if n.startswith("cache.")}
    expected = {"cache.store", "cache.codec", "cache.scans", "cache.snapshot", "cache.memos"}
    expected |= {"cache.builds", "cache.memory"}
    assert expected <= names
    assert "snapshot" not in ALL and "load.memo" not in ALL


WALKER_MAY_NOT_IMPORT = (
    "subprocess",
    "threading",
    "concurrent",
    "multiprocessing",
    "gc",
    "os",
    "io",
    "tempfile",
    "briefgen.cache",
    "briefgen.gcpause",
    "briefgen.files",
    "briefgen.scan.pandoc",
    "briefgen.scan.batch",
)


@pytest.mark.skipif("scan.walker" not in ALL, reason="no scan/walker.py in this tree")
def test_the_claim_rule_is_pure() -> None:
    """The walker (the claim rule) does no I/O, runs no process or thread and keeps no
    cache: a reviewer checks it against the README's rule and nothing else."""
    imports = imported(ALL["scan.walker"])
    bad = sorted(
        i
        for i in imports
        if i.split(".")[0] in WALKER_MAY_NOT_IMPORT
        or any(i == m or i.startswith(m + ".") for m in WALKER_MAY_NOT_IMPORT)
    )
    assert bad == []
    assert not calls(ALL["scan.walker"], "open")
