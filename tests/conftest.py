from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

PROJECTS = Path(__file__).parent / "projects"
REPO = Path(__file__).resolve().parent.parent


class _Entry:
    """Lets CliRunner drive ``briefgen.cli.main`` (with its error handling) rather than
    the bare Click group, so tests see exactly what a user sees."""

    name = "briefgen"

    def main(self, args: list[str], **_: Any) -> None:
        from briefgen.cli import main

        main(list(args))


def invoke(args: list[str], cwd: Path | None = None) -> Result:
    """Run briefgen as a user would. With --project and no ``cwd``, from inside that project
    (where its users stand, so findings show project paths); tests of running from
    elsewhere pass ``cwd``."""
    old = Path.cwd()
    if cwd is None and "--project" in args:
        named = Path(args[args.index("--project") + 1])
        cwd = named if named.is_dir() else None
    try:
        if cwd is not None:
            os.chdir(cwd)
        return CliRunner().invoke(_Entry(), args, catch_exceptions=False)  # type: ignore[arg-type]
    finally:
        os.chdir(old)


def copy_example(root: Path) -> Path:
    """Copy the repository's own briefing project (config, bibliography, briefs) to root."""
    shutil.copy(REPO / "briefgen.yaml", root)
    shutil.copy(REPO / "references.bib", root)
    shutil.copytree(REPO / "briefs", root / "briefs")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a sample project from tests/projects into a temporary directory."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(
            PROJECTS / name, target, ignore=shutil.ignore_patterns(".briefgen-cache", "build")
        )
        return target

    return copy


@pytest.fixture
def run() -> Callable[..., Result]:
    return invoke


@pytest.fixture(scope="session")
def _session_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def _cache_home(_session_cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache key (cache/store.py) lives in a temporary XDG cache directory, one per session,
    never in the real ~/.cache. A test may point XDG_CACHE_HOME elsewhere."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(_session_cache_home))


#: Why the tests that read the seed documents skip when they are absent.
SEEDS_MISSING = (
    "the seed documents are missing: they live in the team's shared folder shared/seeds/, "
    "which must sit beside this repository (../shared/seeds from its root); copy or clone "
    "it there to run these tests"
)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Tests copy the sample projects before running briefgen in them: a checked-in
    fixture that gained a cache (or outputs) means a test ran in place, where a later run
    could be answered from that cache. Fail the run and say which."""
    touched = sorted(
        str(path.relative_to(REPO))
        for name in (".briefgen-cache", "build")
        for path in PROJECTS.glob(f"*/{name}")
    )
    if touched:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nchecked-in sample projects were written to: {', '.join(touched)}")


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The brief names of every full check the CLI runs (a snapshot hit runs none)."""
    from briefgen import app

    calls: list[tuple[str, ...]] = []
    real = app.run_check

    def spy(project, briefs=(), **kwargs):  # type: ignore[no-untyped-def]
        calls.append(tuple(briefs))
        return real(project, briefs, **kwargs)

    monkeypatch.setattr(app, "run_check", spy)
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    return calls
