"""The claim checker on real published prose no one here wrote (issue 14): every sentence
with no citation is reported once, at column 1 of its line (after a list or caption marker);
no two lines are merged into one claim, no sentence is split, no cited line is flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.check import check
from briefgen.load import load_project
from tests import realprose

pytestmark = pytest.mark.skipif(
    not realprose.available(),
    reason=f"the real-prose corpus is missing: it lives in the team's shared folder, at "
    f"{realprose.CORPUS} (../shared/corpora/meta-review beside this repository); copy it there "
    "to run these tests",
)


def test_every_uncited_sentence_of_real_prose_is_reported_at_its_line(tmp_path: Path) -> None:
    gold = realprose.build_project(tmp_path)
    result = check(load_project(tmp_path))  # no store: no cache
    score = realprose.score(gold, result.findings)
    assert score.sentences > 300 and score.uncited > 200  # the corpus is there, and read
    assert score.stray == []
    assert (score.missed, score.misplaced, score.false_splits, score.cited_flagged) == (0, 0, 0, 0)
    assert score.reported == score.uncited
