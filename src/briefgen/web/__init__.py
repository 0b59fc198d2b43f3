"""briefgen serve: a local web workspace over the same application calls as the CLI.

``preview`` writes a brief as HTML for an audience, incrementally; ``workspace`` gathers
what each page shows from ``briefgen.app``; ``server`` is the Starlette application (needs
the ``serve`` extra: starlette, uvicorn, sse-starlette).
"""
