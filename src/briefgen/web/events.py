"""Live updates: file changes in the project, told to every open page (server-sent events).

Which changes matter is ``briefgen watch``'s rule (briefgen.watch.relevant): a section, a
brief, briefgen.yaml, the bibliography, a template or an image; never the cache, an
editor's swap file or an output.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from briefgen.watch import project_inputs, relevant

#: How long a batch of changes may gather (ms) and how long after the last change it is
#: told (ms): short, so a saved file reaches the page at once; an editor's save (write,
#: rename) still arrives as one batch.
DEBOUNCE_MS = 400
STEP_MS = 30


class Broadcast:
    """Subscribers' queues; ``publish`` puts a message in each."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[str | None]] = set()
        self.generation = 0

    def publish(self, files: list[str]) -> None:
        self.generation += 1
        message = json.dumps({"generation": self.generation, "files": files})
        for queue in list(self.queues):
            queue.put_nowait(message)

    def close(self) -> None:
        for queue in list(self.queues):
            queue.put_nowait(None)

    async def stream(self, request: Any) -> AsyncIterator[dict[str, str]]:
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.queues.add(queue)
        try:
            yield {"event": "hello", "data": json.dumps({"generation": self.generation})}
            while True:
                message = await queue.get()
                if message is None or await request.is_disconnected():
                    return
                yield {"event": "change", "data": message}
        finally:
            self.queues.discard(queue)


async def watch_project(root: Path, broadcast: Broadcast, stop: asyncio.Event) -> None:
    """Publish each batch of relevant changes (project-relative paths) until ``stop``."""
    import watchfiles

    def keep(_change: object, path: str) -> bool:
        return relevant(root, Path(path), project_inputs(root))

    async for changes in watchfiles.awatch(
        root, watch_filter=keep, debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=stop
    ):
        files = sorted({Path(p).relative_to(root).as_posix() for _, p in changes})
        broadcast.publish(files)
