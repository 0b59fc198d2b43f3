"""Evidence: whether the cited sources say what a claim says (issue #17).

texts.py reads the source texts (sources/<key>.*, BibTeX ``file`` fields), passages.py
cuts them into passages and indexes them (BM25), figures.py finds and normalises figures,
support.py scores passages and judges pinpoints; engine.py walks the claims of the
checked sections and returns the findings and, per claim, its evidence:

- ``unsupported-figure`` (error): a figure of the claim is in no cited source's text;
- ``weak-support`` (warning): every cited source's best passage scores below the threshold;
- ``pinpoint-mismatch`` (warning): a ``p.``/``art.`` pinpoint points away from the best
  passage;
- ``missing-source-text`` (error, only with ``require_source_text: true``);
- ``source-file`` (error) and ``unknown-source`` (warning): source texts briefgen cannot
  use.

A claim is judged only when every key it cites (that the bibliography knows) has a source
text: a key without one could hold the figure or the support, and briefgen says nothing it
cannot know. Pure apart from reading the source texts. Each file's passages are kept
through the memory seam (``Memory.source_passages``, by key, path and SHA-256), so a check
after a section edit reads no unchanged PDF again; the BM25 index over them is rebuilt on
each check the snapshot does not answer (the snapshot keys on the source files;
bench_evidence.py measures the cost).
"""
