"""Property tests of the sentence splitter and the checker (hypothesis).

Each example is scanned in one batched pandoc call, as the checker does for a project.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.scan import ScanInput, scan_files
from briefgen.scan.locate import WORD_RE, find_words

HEADER = "---\ntitle: T\n---\n\n"
WORDS = [
    "offenders",
    "networks",
    "evidence",
    "providers",
    "requests",
    "courts",
    "data",
    "states",
    "material",
    "platforms",
    "investigators",
    "share",
    "hold",
    "seek",
    "move",
    "across",
    "borders",
    "under",
    "treaty",
    "rules",
    "often",
    "slowly",
    "encrypted",
]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.lists(st.sampled_from(WORDS), min_size=2, max_size=8)
sentence = words.map(lambda ws: ws[0].capitalize() + " " + " ".join(ws[1:]))
cite = st.sampled_from(["[@a]", "[@b, p. 4]", "[@a; @b]", "[see @a]"])


@st.composite
def sentences(draw: st.DrawFn) -> tuple[str, bool]:
    """A sentence and whether it is cited, in one of the citing forms of the claim rule."""
    text = draw(sentence)
    form = draw(st.sampled_from(["none", "inside", "after"]))
    if form == "inside":
        return f"{text} {draw(cite)}.", True
    if form == "after":
        return f"{text}. {draw(cite)}", True
    return f"{text}.", False


@st.composite
def blocks(draw: st.DrawFn) -> tuple[str, int]:
    """A Markdown block and how many uncited claims it holds."""
    kind = draw(st.sampled_from(["para", "list", "quote", "judgment"]))
    items = draw(st.lists(sentences(), min_size=1, max_size=4))
    uncited = sum(1 for _, cited in items if not cited)
    if kind == "para":
        return " ".join(t for t, _ in items), uncited
    if kind == "list":
        return "\n".join(f"- {t}" for t, _ in items), uncited
    if kind == "quote":
        return "> " + " ".join(t for t, _ in items), uncited
    return "::: judgment\n" + " ".join(t for t, _ in items) + "\n:::", 0


documents = st.lists(blocks(), min_size=1, max_size=5).map(
    lambda bs: (HEADER + "\n\n".join(b for b, _ in bs) + "\n", sum(n for _, n in bs))
)


def scan(texts: list[str]) -> list[int]:
    """Uncited claims per document."""
    results = scan_files([ScanInput(t, len(HEADER)) for t in texts])
    return [sum(1 for s in r.sentences if s.status == "claim" and not s.keys) for r in results]


@SETTINGS
@given(st.lists(documents, min_size=1, max_size=6))
def test_every_sentence_is_cited_exempt_or_reported(docs: list[tuple[str, int]]) -> None:
    assert scan([d for d, _ in docs]) == [n for _, n in docs]


@SETTINGS
@given(st.lists(sentences(), min_size=1, max_size=6), st.data())
def test_adding_a_citation_never_adds_a_finding(
    items: list[tuple[str, bool]], data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(items) - 1))
    before = " ".join(t for t, _ in items)
    text, _ = items[i]
    cited = text[:-1] + " [@a]." if text.endswith(".") else text
    after = " ".join(cited if j == i else t for j, (t, _) in enumerate(items))
    old, new = scan([HEADER + before + "\n", HEADER + after + "\n"])
    assert new <= old


markdown_noise = st.text(
    alphabet=st.sampled_from(list("abc XYZ.,;:!?[]{}()@^*_`~#>-|\n:=\"'\\<>/1234")),
    max_size=300,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(markdown_noise, min_size=1, max_size=8))
def test_checker_never_crashes_on_arbitrary_markdown(texts: list[str]) -> None:
    results = scan_files([ScanInput(HEADER + t, len(HEADER)) for t in texts])
    assert len(results) == len(texts)
    for result in results:
        for s in result.sentences:
            assert s.line >= 4 and s.column >= 1


# Lines that open a block in one file and close it in a later one, if files ran together.
block_lines = st.sampled_from(
    [
        "::: judgment",
        ":::",
        "~~~~",
        "```",
        "<div>",
        "</div>",
        "> Quoted [@a].",
        "- Listed claim [@b].",
        "A claim [@a]. Another one.",
        "An uncited claim.",
        "A noted claim.[^1]",
        "[^1]: Its note [@b].",
        "<!--briefgen-chunk-0-->",
        "",
    ]
)
section_bodies = st.lists(block_lines, max_size=8).map("\n".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(section_bodies, min_size=2, max_size=4))
def test_files_scanned_in_one_batch_as_if_each_were_alone(bodies: list[str]) -> None:
    """One pandoc batch is cut into files at sentinels: whatever a file leaves open, and
    whatever it writes, each file scans exactly as it does on its own."""
    inputs = [
        ScanInput(HEADER + body + "\n", len(HEADER), "A summary [@a].", 11) for body in bodies
    ]
    alone = [scan_files([item], jobs=1)[0] for item in inputs]
    assert scan_files(inputs, jobs=1) == alone


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Child pornography CSAM ßİı\n-_")), max_size=80))
def test_terminology_prefilter_never_hides_a_finding(text: str) -> None:
    """The one-pattern search that skips clean files must find whatever a rule finds."""
    from briefgen.terminology import _any_term, _term_pattern

    avoid = ("child pornography", "CSAM", "ı")
    if any(_term_pattern(a).search(text) for a in avoid):
        assert _any_term(avoid).search(text)


def regex_search(source: str, words: list[str], start: int) -> int | None:
    """The oracle: how the locator found a sentence's first words before it tokenised the
    source, with a pattern compiled for each sentence opening."""
    body = r"[\W_]+".join(re.escape(w) for w in words)
    match = re.compile(r"(?<![^\W_])" + body + r"(?![^\W_])").search(source, start)
    return match.start() if match else None


# letters, digits, an underscore, a superscript digit and a Roman numeral (both count as
# letters or digits), accents, markup and line breaks
source_text = st.text(alphabet=st.sampled_from(list("ab ab1_-*[@]\n.éß²Ⅻ\xa0")), max_size=120)
start_offsets = st.integers(min_value=0, max_value=130)


@settings(max_examples=500, deadline=None)
@given(
    source_text,
    st.lists(
        st.sampled_from(["a", "b", "ab", "ba", "é", "1", "a1", "ß", "²", "Ⅻ"]),
        min_size=1,
        max_size=3,
    ),
    start_offsets,
)
def test_locating_words_finds_what_a_regex_search_finds(
    source: str, words: list[str], start: int
) -> None:
    assert find_words(source, words, start) == regex_search(source, words, start)


@settings(max_examples=500, deadline=None)
@given(source_text, st.data(), start_offsets)
def test_locating_words_of_the_text_itself_finds_what_a_regex_search_finds(
    source: str, data: st.DataObject, start: int
) -> None:
    """As above, with runs of words the text holds (the case the locator meets most)."""
    tokens = WORD_RE.findall(source)
    if not tokens:
        return
    first = data.draw(st.integers(0, len(tokens) - 1))
    words = tokens[first : first + data.draw(st.integers(1, 3))]
    assert find_words(source, words, start) == regex_search(source, words, start)


# --------------------------------------------------------------------------- positions

_MARKUP = "*_[<~"
_SAME = {"“": '"', "”": '"', "‘": "'", "’": "'"}


@st.composite
def decorated_sentences(draw: st.DrawFn) -> tuple[str, int]:
    """A sentence whose opening is wrapped in markup pandoc renders away, perhaps with a
    footnote, and how many uncited claims it holds."""
    ws = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=6))
    first = ws[0].capitalize()
    opening = draw(
        st.sampled_from(["plain", "link", "emphasis", "strong", "span", "quote", "paren"])
    )
    rest = " ".join(ws[1:])
    if opening == "link":
        text = f"[{first}](https://example.org/{ws[1]}) {rest}"
    elif opening == "emphasis":
        text = f"*{first}* {rest}"
    elif opening == "strong":
        text = f"**{first} {ws[1]}** {' '.join(ws[2:])}"
    elif opening == "span":
        text = f"[{first}]{{.mark}} {rest}"
    elif opening == "quote":
        text = f'"{first} {rest}"'
    elif opening == "paren":
        text = f"({first} {rest})"
    else:
        text = f"{first} {rest}"
    note = draw(st.sampled_from(["", "^[A cited note [@a].]", "^[An uncited note.]", "[^n]"]))
    in_note = int(note == "^[An uncited note.]")
    if draw(st.booleans()):
        return f"{text}{note} {draw(cite)}.", in_note
    by_note = note in ("^[A cited note [@a].]", "[^n]")
    return f"{text}{note}.", int(not by_note) + in_note


def _first_char_at(source: str, line: int, column: int) -> str:
    lines = source.split("\n")
    rest = lines[line - 1][column - 1 :]
    return rest.lstrip(_MARKUP)[:1]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(decorated_sentences(), min_size=1, max_size=4).map(
            lambda items: (
                " ".join(t for t, _ in items) if len(items) % 2 else "\n".join(t for t, _ in items),
                sum(n for _, n in items),
            )
        ),
        min_size=1,
        max_size=4,
    )
)
def test_every_finding_points_at_the_first_character_of_its_sentence(
    tmp_path_factory: object, paragraphs: list[tuple[str, int]]
) -> None:
    import json
    import shutil

    from tests.conftest import PROJECTS, invoke

    root = tmp_path_factory.mktemp("p")  # type: ignore[attr-defined]
    shutil.copytree(PROJECTS / "basic", root, dirs_exist_ok=True)
    body = "\n\n".join(p for p, _ in paragraphs)
    if "[^n]" in body:
        body += "\n\n[^n]: A footnote that cites [@a]."
    source = HEADER + body + "\n"
    (root / "references.bib").write_text(
        "@misc{a, title={A}, author={A, B}, year={2020}}\n"
        "@misc{b, title={B}, author={B, C}, year={2021}}\n"
        "@report{owen2015tor, title={T}, author={O, G}, year={2015}}\n"
        "@misc{budapest2001, title={C}, author={E, C}, year={2001}}\n",
        encoding="utf-8",
    )
    (root / "briefs/sections/probe.md").write_text(source, encoding="utf-8")
    doc = json.loads(invoke(["check", "--project", str(root), "--format", "json"]).stdout)
    claims = [
        f
        for f in doc["findings"]
        if f["file"] == "briefs/sections/probe.md"
        and f["rule"] in ("uncited-claim", "ambiguous-boundary")
    ]
    assert len(claims) == sum(n for _, n in paragraphs)  # none lost, none merged
    assert len({(f["line"], f["column"]) for f in claims}) == len(claims)  # none collapsed
    assert doc["summary"]["uncited"] == len(claims)
    for f in claims:
        expected = _SAME.get(f["text"][0], f["text"][0])
        assert _first_char_at(source, f["line"], f["column"]) == expected, f
