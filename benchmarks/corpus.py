"""Generate a synthetic briefgen project for benchmarks.

    python benchmarks/corpus.py OUT_DIR --sections N --entries M [--seed S]

writes ``briefgen.yaml``, ``references.bib`` (M entries), N section modules
``briefs/sections/s0001.md`` ... and ``briefs/full.yaml`` (audience investigators, the first 20
sections). Every sentence is cited with a key from the bibliography, every entry is cited at
least once, and the prose exercises the hard cases of the claim rule (abbreviations, numbers,
e-mail addresses, URLs, lists, block quotes, tables, footnotes, exempt and audience divs), so
``briefgen check`` reports neither errors nor warnings. Output is deterministic for a seed and
needs no network or external data.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import textwrap
from pathlib import Path

BRIEF_SECTIONS = 20

CONFIG = """\
title: Benchmark corpus
organisation: Benchmark Ministry — Policy Unit
bibliography: references.bib
csl: ieee
audiences:
  ministers:
    label: Ministers and senior officials
    max_marking: TLP:GREEN
    word_budget: 1500
  investigators:
    label: Investigators
    max_marking: TLP:AMBER
terminology:
  - avoid: child pornography
    prefer: child sexual abuse material (CSAM)
"""

# --------------------------------------------------------------------------- phrase bank

SUBJECTS = [
    "Mutual legal assistance requests",
    "Cross-border preservation orders",
    "Service providers established abroad",
    "Joint investigation teams",
    "National reporting hotlines",
    "Specialised prosecution units",
    "Victim identification teams",
    "Data protection authorities",
    "End-to-end encrypted messaging services",
    "Cloud storage providers",
    "Domain registrars and hosting companies",
    "Payment intermediaries",
    "Anonymisation networks",
    "Police liaison officers",
    "Central authorities",
    "Forensic laboratories",
]
VERBS = [
    "often delay",
    "rarely reach",
    "frequently depend on",
    "continue to complicate",
    "can accelerate",
    "seldom cover",
    "increasingly rely on",
    "directly affect",
    "substantially limit",
    "have improved",
]
OBJECTS = [
    "the timely disclosure of subscriber data",
    "the admissibility of evidence gathered abroad",
    "the identification of victims in seized material",
    "cooperation between hotlines and the police",
    "the preservation of volatile electronic evidence",
    "requests made under the Second Additional Protocol",
    "the removal of reported material",
    "the tracing of cryptocurrency payments",
    "the attribution of hidden services",
    "joint operations across several jurisdictions",
    "the exchange of hash lists between agencies",
    "the prosecution of offenders who travel",
]
QUALIFIERS = [
    "in most member states",
    "when a request crosses more than one border",
    "despite recent legislative reforms",
    "under the current data retention rules",
    "in the absence of a treaty basis",
    "for providers with no local establishment",
    "during the first weeks of an investigation",
    "where the data is stored in another jurisdiction",
    "according to practitioners interviewed for the review",
    "in the period covered by the latest assessment",
]
# sentences exercising the sentence splitter (SPEC: "Sentence boundaries must survive ...")
SPECIALS = [
    "Requests to U.S. providers took approx. {num} months on average in the period reviewed",
    "Dr. {surname} et al. describe the same pattern in their {year} survey of practitioners",
    "Several instruments, e.g. the Budapest Convention, require the expedited preservation "
    "of stored data",
    "The relevant provision, i.e. Art. 16 of the Convention, covers stored computer data",
    "Recommendation No. 5 of the review calls for a single point of contact in each state",
    "Reports can be sent to hotline@example.org or filed through https://report.example.org/form "
    "within {int} hours",
    "The annex on p. 4 lists {int} national contact points and their opening hours",
    "Of the {int} states surveyed, approx. {int2} answered within {num} weeks",
    "Providers subject to 18 U.S.C. § 2258A must report apparent material to a clearinghouse",
    'One evaluation described the process as "slow, fragmented and opaque."',
    "Average storage costs fell by {num} per cent per year, cf. the figures in vol. 2",
]
JUDGMENTS = [
    "We assess that delays of this kind will persist until requests can be sent directly to "
    "providers.",
    "In our judgment the gap between legal and technical capability is widening.",
    "We assess that the cost of inaction falls mainly on victims who remain unidentified.",
]
RECOMMENDATIONS = [
    "Ratify the Second Additional Protocol and designate a 24/7 point of contact.",
    "Fund a shared victim identification database across the region.",
    "Publish annual statistics on the time taken to answer cross-border requests.",
]
HEADINGS = ["Background", "Current practice", "Legal framework", "Operational barriers"]
TITLE_WORDS = [
    "Preservation",
    "Encryption",
    "Cooperation",
    "Victim identification",
    "Payments",
    "Hotlines",
    "Jurisdiction",
    "Evidence",
    "Hosting",
    "Training",
]
TITLE_TAILS = ["across borders", "in practice", "and the law", "at scale", "after the reforms"]
OWNERS = ["Legal policy unit", "Operations unit", "International cooperation unit"]

SURNAMES = [
    "Owen", "Savage", "Brenner", "Koops", "Walden", "Wall", "Holt", "Steel", "Quayle",
    "Taylor", "Leukfeldt", "Kleemans", "Sunde", "Mitchell", "Seigfried", "Spitzner",
]  # fmt: skip
GIVEN = ["Anna", "Ben", "Clara", "David", "Eva", "Femi", "Grace", "Hugo", "Ines", "Jonas"]
ORGANISATIONS = [
    "Europol",
    "Council of Europe",
    "European Commission",
    "Internet Watch Foundation",
    "INHOPE",
    "United Nations Office on Drugs and Crime",
    "OECD",
    "Eurojust",
]
INSTITUTIONS = [
    "European Union Agency for Law Enforcement Cooperation",
    "Council of Europe Cybercrime Programme Office",
    "University of Leiden, Department of Criminology",
    "Centre for International Governance Innovation",
    "Joint Research Centre",
]
JOURNALS = [
    "Computer Law and Security Review",
    "European Journal of Criminology",
    "Journal of Cybersecurity",
    "Crime Science",
]
TOPICS = [
    "Cross-Border Access to Electronic Evidence",
    "Online Child Sexual Exploitation",
    "Encryption and Lawful Access",
    "Mutual Legal Assistance in Cybercrime Cases",
    "Cryptocurrency Tracing",
    "Hotline Cooperation",
    "Victim Identification",
    "Data Retention",
]
SUBTITLES = [
    "A Review of Practice",
    "Threat Assessment",
    "Lessons from Joint Operations",
    "Evaluation Report",
    "Options for Reform",
]


# --------------------------------------------------------------------------- bibliography


def make_bibliography(rng: random.Random, entries: int) -> tuple[list[str], str]:
    """Return the keys and the text of a BibTeX file with ``entries`` entries."""
    keys: list[str] = []
    parts: list[str] = []
    for _ in range(entries):
        year = rng.randint(2005, 2026)
        topic, subtitle = rng.choice(TOPICS), rng.choice(SUBTITLES)
        kind = rng.choice(["report", "report", "article", "misc"])
        if kind == "article" or rng.random() < 0.5:
            names = rng.sample(SURNAMES, rng.randint(1, 3))
            author = " and ".join(f"{n}, {rng.choice(GIVEN)}" for n in names)
            stem = names[0]
        else:
            stem = rng.choice(ORGANISATIONS)
            author = "{" + stem + "}"
        base = re.sub(r"[^a-z]", "", stem.lower())[:12] + str(year)
        base += re.sub(r"[^a-z]", "", topic.split()[0].lower())
        key = base
        suffix = 1
        while key in keys:
            suffix += 1
            key = f"{base}{suffix}"
        keys.append(key)
        fields = {"author": author, "title": f"{topic}: {subtitle}", "year": str(year)}
        if kind == "article":
            fields["journal"] = rng.choice(JOURNALS)
            fields["volume"] = str(rng.randint(1, 40))
            first = rng.randint(1, 300)
            fields["pages"] = f"{first}--{first + rng.randint(8, 30)}"
        else:
            fields["institution"] = rng.choice(INSTITUTIONS)
        body = ",\n".join(f"  {name:<11} = {{{value}}}" for name, value in fields.items())
        parts.append(f"@{kind}{{{key},\n{body},\n}}\n")
    return keys, "\n".join(parts)


# --------------------------------------------------------------------------- prose


class Writer:
    """Writes section modules, handing out citation keys in a cycle so every key is used."""

    def __init__(self, rng: random.Random, keys: list[str]) -> None:
        self.rng = rng
        self.keys = keys[:]
        rng.shuffle(self.keys)
        self.next_index = 0
        self.used: set[str] = set()
        self.notes: list[str] = []  # footnote definitions of the current section

    def key(self) -> str:
        key = self.keys[self.next_index % len(self.keys)]
        self.next_index += 1
        self.used.add(key)
        return key

    def fill(self, template: str) -> str:
        rng = self.rng
        return template.format(
            num=f"{rng.randint(1, 9)}.{rng.randint(1, 9)}",
            int=rng.randint(12, 60),
            int2=rng.randint(2, 11),
            surname=rng.choice(SURNAMES),
            year=rng.randint(2010, 2025),
        )

    def plain(self) -> str:
        """A sentence without its final full stop or citation."""
        rng = self.rng
        text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        qualifier = rng.choice(QUALIFIERS)
        return f"{text} {qualifier}" if rng.random() < 0.7 else text

    def cite(self, text: str, footnotes: bool = True) -> str:
        """Attach a citation to a sentence in one of the forms the claim rule accepts."""
        style = self.rng.randrange(8)
        if style == 3 and not footnotes:
            style = 7
        page = self.rng.randint(2, 180)
        if text.endswith('."'):
            return f"{text} [@{self.key()}]"  # a quotation ending '."', then the citation
        if style == 0:
            return f"{text} [@{self.key()}, p. {page}]."
        if style == 1:
            return f"{text} [@{self.key()}; @{self.key()}]."
        if style == 2:
            return f"{text}. [@{self.key()}]"
        if style == 3:
            self.notes.append(f"{self.plain()} [@{self.key()}].")
            return f"{text}.[^{len(self.notes)}]"
        if style == 4:
            lowered = text if text.startswith("Dr.") else text[0].lower() + text[1:]
            return f"@{self.key()} [p. {page}] reports that {lowered}."
        if style == 5:
            return f"{text} [see @{self.key()}, pp. {page}–{page + 3}]."
        return f"{text} [@{self.key()}]."

    def sentence(self, special: bool = False) -> str:
        text = self.fill(self.rng.choice(SPECIALS)) if special else self.plain()
        return self.cite(text)

    def paragraph(self, sentences: int = 5, specials: int = 1) -> str:
        chosen = set(self.rng.sample(range(sentences), specials))
        return wrap(" ".join(self.sentence(i in chosen) for i in range(sentences)))

    def bullets(self) -> str:
        return "\n".join(f"- {self.cite(self.plain())}" for _ in range(3))

    def quote(self) -> str:
        return "\n".join("> " + line for line in self.paragraph(2).splitlines())

    def table(self) -> str:
        rows = ["| Request type | Median days | Source |", "| --- | ---: | --- |"]
        for kind in ("Preservation order", "Subscriber data", "Content data"):
            rows.append(f"| {kind} | {self.rng.randint(3, 240)} | [@{self.key()}] |")
        caption = f": Median response times by request type [@{self.key()}]."
        return "\n".join(rows) + "\n\n" + caption

    def audience_block(self) -> str:
        body = self.paragraph(3)
        return f'::: {{.audience only="investigators" marking="TLP:AMBER"}}\n{body}\n:::'

    def section(self, index: int) -> str:
        """One section module: front matter and a body of 5 paragraphs of 5 sentences."""
        rng = self.rng
        self.notes = []
        title = f"{rng.choice(TITLE_WORDS)} {rng.choice(TITLE_TAILS)} ({index})"
        summary = self.cite(self.plain(), footnotes=False)
        front = [
            "---",
            f"title: {json.dumps(title)}",
            "summary: >-",
            textwrap.indent(wrap(summary, 94), "  "),
            "marking: TLP:CLEAR",
            "audiences: [all]",
            f"owner: {rng.choice(OWNERS)}",
            f"reviewed: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
            "---",
        ]
        blocks = [
            self.paragraph(),
            f"## {rng.choice(HEADINGS)}",
            self.paragraph(),
            self.bullets(),
            self.paragraph(),
            self.quote(),
            self.table(),
            self.paragraph(),
        ]
        if index % 3 == 0:
            blocks.append(self.audience_block())
        blocks += [
            self.paragraph(),
            f"::: judgment\n{rng.choice(JUDGMENTS)}\n:::",
            f"::: recommendation\n{rng.choice(RECOMMENDATIONS)}\n:::",
        ]
        blocks += [footnote(n, note) for n, note in enumerate(self.notes, 1)]
        return "\n".join(front) + "\n\n" + "\n\n".join(blocks) + "\n"

    def leftovers(self) -> str:
        """A paragraph citing every key not cited yet (small corpora, many entries)."""
        missing = [k for k in self.keys if k not in self.used]
        sentences = []
        for start in range(0, len(missing), 5):
            group = "; ".join(f"@{k}" for k in missing[start : start + 5])
            sentences.append(f"Further sources on the same question agree [{group}].")
        self.used.update(missing)
        return wrap(" ".join(sentences))


_UNSAFE_LINE = re.compile(r"^(?:[#>:|+*-]|\d+[.)]|\[\^)")


def wrap(text: str, width: int = 96) -> str:
    """Wrap prose; one sentence per line if a wrapped line would start a Markdown block."""
    lines = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)
    if any(_UNSAFE_LINE.match(line) for line in lines[1:]):
        return text
    return "\n".join(lines)


def footnote(number: int, text: str) -> str:
    """A footnote definition, continuation lines indented."""
    return f"[^{number}]: " + wrap(text, 88).replace("\n", "\n    ")


# --------------------------------------------------------------------------- project


def brief_yaml(section_ids: list[str]) -> str:
    listed = "".join(f"  - {sid}\n" for sid in section_ids)
    return (
        "title: Benchmark brief\n"
        "subtitle: Generated corpus\n"
        "audience: investigators\n"
        "date: 2026-11-23\n"
        "executive_summary: true\n"
        f"sections:\n{listed}"
    )


def generate(out: Path, sections: int, entries: int, seed: int = 1) -> None:
    """Write a complete briefgen project with ``sections`` modules and ``entries`` references."""
    if sections < 1 or entries < 1:
        raise ValueError("sections and entries must be at least 1")
    rng = random.Random(seed)
    keys, bib = make_bibliography(rng, entries)
    writer = Writer(rng, keys)
    section_dir = out / "briefs" / "sections"
    section_dir.mkdir(parents=True, exist_ok=True)
    ids = [f"s{i:04d}" for i in range(1, sections + 1)]
    texts = [writer.section(i) for i in range(1, sections + 1)]
    if len(writer.used) < len(keys):
        texts[-1] += "\n" + writer.leftovers() + "\n"
    for sid, text in zip(ids, texts, strict=True):
        (section_dir / f"{sid}.md").write_text(text, encoding="utf-8")
    (out / "briefgen.yaml").write_text(CONFIG, encoding="utf-8")
    (out / "references.bib").write_text(bib, encoding="utf-8")
    (out / "briefs" / "full.yaml").write_text(brief_yaml(ids[:BRIEF_SECTIONS]), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output directory (created if missing)")
    parser.add_argument("--sections", type=int, default=50, help="section modules (default 50)")
    parser.add_argument("--entries", type=int, default=100, help="bibliography entries")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    generate(args.out, args.sections, args.entries, args.seed)
    print(f"wrote {args.sections} sections and {args.entries} entries to {args.out}")


if __name__ == "__main__":
    main()
