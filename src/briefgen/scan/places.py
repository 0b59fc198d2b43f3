"""Where the walk of a section's AST has got to in its source, and the markup it met there.

Pandoc's AST holds no positions, and holds its elements in source order: so each div, span,
link, image, attribute list and raw element is found in the source by searching forward
from the last one found (or from the sentence being read), and recorded with its line and
column for the checker's markup, link and raw-content rules. The fences that pandoc did not
read as divs are reported from here too.
"""

from __future__ import annotations

from briefgen.scan.locate import COMMENT_RE, Locator
from briefgen.scan.model import FenceProblem, Json, Markup, RawUse, Target

_FAR = 32  # fences looked past for one with the same attributes (see ``Places.div``)


class Places:
    def __init__(self, source: str, body_offset: int) -> None:
        self.loc = Locator(source, body_offset)
        self.floor = body_offset  # where the text being walked starts: searches fall back to it
        self.cursor = body_offset  # where the next sentence is looked for
        self.note_cursor = body_offset  # where the next footnote defined apart is looked for
        self.note_index = 0  # body footnotes walked so far (Locator.note_starts)
        self.span_cursor = body_offset  # where the next inline markup is looked for
        self.fence_index = 0  # fences matched to divs so far (Locator.fences)
        self.matched: set[int] = set()  # indices of the fences matched to a div
        self.markup: list[Markup] = []
        self.targets: list[Target] = []
        self.raw_uses: list[RawUse] = []

    def begin_unit(self) -> None:
        """A paragraph (or other unit of inlines) starts at the cursor: its markup lies on."""
        self.span_cursor = max(self.span_cursor, self.cursor)

    def div(self, classes: list[str], kvs: list[list[str]]) -> int:
        """Record a div's markup; return its line, and move the cursor to its fence."""
        attrs = dict(kvs)
        line, column = self._div_position(classes, attrs)
        if classes or kvs:
            keys = tuple(k for k, _ in kvs)
            self.markup.append(Markup(line, column, "div", tuple(classes), keys))
        return line

    def _div_position(self, classes: list[str], attrs: dict[str, str]) -> tuple[int, int]:
        """The line of the fence that opens this div: the next fence in the source with
        the same classes (pandoc's AST holds divs in source order), and the same
        attributes if a later one has them (a fence before it that pandoc read as text is
        passed over, and left unmatched: see ``fence_problems``), else an HTML ``<div``
        (pandoc reads those as divs too)."""
        fences = self.loc.fences()
        wanted = sorted(classes)
        first = None
        for index in range(self.fence_index, len(fences)):
            fence = fences[index]
            if sorted(fence.classes) != wanted:
                continue
            if first is None:
                first = index
            if dict(fence.attributes) == attrs:
                first = index
                break
            if index - first > _FAR:  # no fence far ahead: the first one, as pandoc wrote it
                break
        if first is not None:
            fence = fences[first]
            self.fence_index = first + 1
            self.matched.add(first)
            self.cursor = max(self.cursor, fence.offset)
            return fence.line, 1
        found = self.loc.find_literal("<div", self.cursor, self.floor)
        return self.loc.position(found if found is not None else self.cursor)

    def target(self, element: str, url: str, attr: Json) -> None:
        """Record a link's or image's target (and its attributes) at its place."""
        source = self.loc.source
        pos = source.find(url, self.span_cursor) if url else -1
        if pos < 0:
            pos = source.find("](", self.span_cursor)
            pos = self.cursor if pos < 0 else pos + 2
        self.span_cursor = pos + 1
        line, column = self.loc.position(pos)
        self.targets.append(Target(line, column, element, url))
        if attr[1] or attr[2]:
            keys = tuple(k for k, _ in attr[2])
            self.markup.append(Markup(line, column, element, tuple(attr[1]), keys))

    def attributes(self, element: str, attr: Json) -> None:
        """Record the attributes of a heading, code or code block, if it has any."""
        if attr[2]:
            keys = tuple(k for k, _ in attr[2])
            start = max(self.cursor, self.span_cursor)
            pos = self.loc.source.find(keys[0] + "=", start)
            if pos < 0:
                pos = start
            else:
                self.span_cursor = pos + 1
            line, column = self.loc.position(pos)
            self.markup.append(Markup(line, column, element, tuple(attr[1]), keys))

    def span(self, classes: list[str], kvs: list[list[str]]) -> tuple[int, int]:
        """Record a span's classes and attributes at its ``]{`` (or HTML ``<span``); return
        that line and column."""
        source = self.loc.source
        brace, html = source.find("]{", self.span_cursor), source.find("<span", self.span_cursor)
        if brace >= 0 and (html < 0 or brace < html):
            pos = brace + 1
        else:
            pos = html if html >= 0 else self.cursor
        self.span_cursor = pos + 1
        line, column = self.loc.position(pos)
        self.markup.append(Markup(line, column, "span", tuple(classes), tuple(k for k, _ in kvs)))
        return line, column

    def raw(self, fmt: str, text: str) -> None:
        """Record raw content (a block or an inline) at its place."""
        offset = self.loc.find_literal(text[:40], self.cursor, self.floor)
        line, col = self.loc.position(offset if offset is not None else self.cursor)
        self.raw_uses.append(RawUse(line, col, fmt))

    def fence_problems(self) -> tuple[FenceProblem, ...]:
        """Fences never closed, ``:::`` lines read as text, and closed fences that opened
        no div (pandoc read them as text: their attributes, most often)."""
        loc = self.loc
        fences = [FenceProblem(f.line, "unclosed", f.text) for f in loc.fences() if not f.closed]
        fences += [FenceProblem(f.line, "loose", f.text) for f in loc.loose_fences()]
        comments = [m.span() for m in COMMENT_RE.finditer(loc.source, loc.body_offset)]
        fences += [
            FenceProblem(f.line, "text", f.text)
            for i, f in enumerate(loc.fences())
            if f.closed
            and i not in self.matched
            and not any(start <= f.offset < end for start, end in comments)
        ]
        return tuple(sorted(fences))
