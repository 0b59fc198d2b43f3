"""The sentence splitter (briefgen.scan.sentences): curated abbreviations, doubts and
properties."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.scan.sentences import Span, sentence_spans, settle, split_sentences

WORDS = ["providers", "tasks", "reports", "month", "hand", "aims", "found", "code", "data"]
# an abbreviation with what may follow it inside a sentence
INSIDE = [
    "e.g. the",
    "i.e. a",
    "cf. Art. 16",
    "Arts. 5 and 6",
    "No. 5",
    "p. 4",
    "pp. 10–12",
    "Pt. II",
    "Ch. 3",
    "Jan. 2026",
    "approx. 3.5",
    "Dr. Smith",
    "et al. found",
    "the U.S. view",
    "18 U.S.C. § 2523",
    "vs. them",
    "info@example.org",
    "https://example.org/a.b",
]


@st.composite
def sentence(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))
    middle = draw(st.lists(st.sampled_from(INSIDE), max_size=2))
    ending = draw(st.sampled_from([".", "?", "!", ".”", ".)", "…"]))
    opening = draw(st.sampled_from(["", "“", "("]))
    body = " ".join([*words[:1], *middle, *words[1:]])
    closing = {"“": "”", "(": ")"}.get(opening, "")
    if closing and ending.endswith(("”", ")")):
        ending = ending[:-1]
    return opening + body[0].upper() + body[1:] + (closing + ending if closing else ending)


@settings(max_examples=300, deadline=None)
@given(st.lists(sentence(), min_size=1, max_size=6), st.sampled_from([" ", "\n", "  "]))
def test_sentences_joined_split_back_exactly(sentences: list[str], space: str) -> None:
    """No abbreviation of the field cuts a sentence, no ordinary word merges two."""
    text = space.join(sentences)
    assert [text[s:e].strip() for s, e in split_sentences(text)] == sentences


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Cd.?!…”’)\"' 3U.S\xa0:\n")), max_size=80))
def test_spans_cover_the_text_in_order(text: str) -> None:
    spans = sentence_spans(text)
    if not text.strip():
        assert spans == []
        return
    assert spans[0].start == 0 and spans[-1].end == len(text)
    assert all(a.end == b.start for a, b in pairwise(spans))
    assert all(s.start < s.end for s in spans)
    assert spans[-1].doubt == ""


@settings(max_examples=200, deadline=None)
@given(st.lists(sentence(), min_size=2, max_size=5))
def test_a_non_breaking_space_never_ends_a_sentence(sentences: list[str]) -> None:
    text = "\xa0".join(sentences)
    assert split_sentences(text) == [(0, len(text))]


def test_doubts_are_settled_for_the_guarantee() -> None:
    spans = [Span(0, 10, "U.S."), Span(10, 20, "J."), Span(20, 30, "")]
    # both sides of a doubt uncited: one sentence, one finding
    assert settle(spans, [False, False, False]) == [(0, 30, "")]
    # both cited: either reading passes
    assert settle(spans, [True, True, True]) == [(0, 10, ""), (10, 20, ""), (20, 30, "")]
    # one side uncited: the doubt stays on it, for the checker to report
    assert settle(spans, [False, True, True]) == [(0, 10, "U.S."), (10, 20, ""), (20, 30, "")]
    assert settle(spans, [True, False, True]) == [(0, 10, ""), (10, 20, "J."), (20, 30, "")]
    assert settle(spans, [True, False, False]) == [(0, 10, ""), (10, 30, "U.S.")]


def test_a_citation_between_proves_the_boundary() -> None:
    text = "Most reports come from the U.S. Providers must report them."
    assert [s.doubt for s in sentence_spans(text)] == ["U.S.", ""]
    anchor = text.index("Providers")
    assert [s.doubt for s in sentence_spans(text, [anchor])] == ["", ""]


def test_a_colon_ends_a_sentence_only_at_a_line_break() -> None:
    text = "Publication is continuous: When a source changes, outputs are rebuilt."
    assert len(sentence_spans(text)) == 1
    at = text.index(" When")
    assert [text[s.start : s.end].strip() for s in sentence_spans(text, breaks=[at])] == [
        "Publication is continuous:",
        "When a source changes, outputs are rebuilt.",
    ]
