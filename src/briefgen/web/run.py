"""Run the workspace: a socket on the loopback interface, uvicorn, the application."""

from __future__ import annotations

import importlib.util
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from briefgen.errors import ConfigError
from briefgen.settings import Settings

#: The modules of the ``serve`` extra, by the distribution that brings them.
EXTRA = {"starlette": "starlette", "uvicorn": "uvicorn", "sse_starlette": "sse-starlette"}
_UNSAFE_EDITOR_SCHEMES = ("javascript:", "data:", "vbscript:", "file:", "http:", "https:")


def require_extra() -> None:
    """Raise ConfigError naming the extra when a module of it is missing."""
    missing = [dist for module, dist in EXTRA.items() if importlib.util.find_spec(module) is None]
    if missing:
        raise ConfigError(
            f"briefgen serve needs the 'serve' extra ({', '.join(missing)} not installed): "
            "pip install 'briefgen[serve]'"
        )


def check_editor_url(template: str | None) -> str | None:
    """An editor link template must name {path} and use an editor's own URL scheme."""
    if template is None:
        return None
    lowered = template.strip().lower()
    unsafe = lowered.startswith(_UNSAFE_EDITOR_SCHEMES)
    if "{path}" not in template or ":" not in template or unsafe:
        raise ConfigError(
            f"--editor-url {template!r}: give an editor URL with {{path}} (and {{line}}, "
            "{column}), such as 'vscode://file/{path}:{line}:{column}'"
        )
    return template


def listen(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one. Raises ConfigError when taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(64)
    return sock


def serve(
    root: Path,
    settings: Settings,
    sock: socket.socket,
    editor_url: str | None = None,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the workspace of the project at ``root`` on ``sock`` until interrupted;
    ``ready`` hears the workspace's URL once it answers."""
    import uvicorn

    from briefgen.web.server import Options, build_app
    from briefgen.web.workspace import Workspace

    host, port = sock.getsockname()[:2]
    options = Options(host, port, editor_url)
    application = build_app(Workspace(root, settings), options)
    config = uvicorn.Config(application, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    if ready is not None:
        url = f"http://{host}:{port}/"

        def tell() -> None:
            while not server.started and not server.should_exit:
                threading.Event().wait(0.05)
            if server.started:
                ready(url)

        threading.Thread(target=tell, daemon=True).start()
    server.run(sockets=[sock])
