"""The workspace's web application (Starlette): pages, live updates, build actions.

Safe by default: requests whose Host header is not the bound host:port are refused (DNS
rebinding); only the pages, the project's outputs in build/ and the app's own static files
are served; a build needs the token of this server's run, sent in a POST; every response
carries a Content-Security-Policy that allows scripts from the app alone.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import jinja2
from markupsafe import Markup
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from briefgen.files import inside
from briefgen.safety import image_files
from briefgen.web.events import Broadcast, watch_project
from briefgen.web.workspace import BriefPage, Problem, Workspace

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
OUTPUT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
OUTPUT_TYPES = {
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
Scope = MutableMapping[str, Any]
ASGI = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Any]


class Options:
    """How the server was started: where it listens, and the editor link template."""

    def __init__(self, host: str, port: int, editor_url: str | None = None) -> None:
        self.host, self.port, self.editor_url = host, port, editor_url
        self.token = secrets.token_urlsafe(32)

    def allowed_hosts(self) -> set[str]:
        hosts = {f"{self.host}:{self.port}"}
        if self.host in ("127.0.0.1", "::1", "localhost"):
            hosts |= {f"localhost:{self.port}", f"127.0.0.1:{self.port}"}
        return hosts


def host_guard(inner: ASGI, options: Options) -> ASGI:
    """Refuse any request whose Host header is not this server's host:port (a page on
    another site whose name is made to point at 127.0.0.1 sends its own name)."""

    async def guard(scope: Scope, receive: Any, send: Any) -> Any:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1").lower()
            if host not in options.allowed_hosts():
                shown = host[:80] or "(none)"
                here = f"http://{options.host}:{options.port}/"
                message = f"refused: Host {shown} is not this workspace ({here})"
                response = Response(message, status_code=403, media_type="text/plain")
                return await response(scope, receive, send)
        return await inner(scope, receive, send)

    return guard


def secured(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response


def editor_link(template: str | None, root: Path, problem: Problem) -> str | None:
    """The editor URL for a problem's file:line, from a template such as
    ``vscode://file/{path}:{line}:{column}`` (None: no editor configured, or no file)."""
    if template is None or not problem.file:
        return None
    path = quote((root / problem.file).as_posix(), safe="/:")
    line, column = str(max(problem.line, 1)), str(max(problem.column, 1))
    return template.replace("{path}", path).replace("{line}", line).replace("{column}", column)


_SECTION_RE = re.compile(
    r'(<(?:div|section)\b[^>]*\bclass="bg-section[^"]*"[^>]*\bdata-section="([^"]*)"[^>]*>)'
)
_UNCITED_RE = re.compile(r'<span class="uncited" data-line="(\d+)">')


class Pages:
    """Jinja pages; each page's main part can be rendered alone (a live update)."""

    def __init__(self, workspace: Workspace, options: Options) -> None:
        self.workspace, self.options = workspace, options
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "pages")),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["editor_link"] = lambda p: editor_link(
            options.editor_url, workspace.root, p
        )
        self.env.filters["anchor"] = lambda p: f"{p.line}-{p.column}-{abs(hash(p)) % 10**6}"

    def page(self, request: Request, name: str, title: str, **values: Any) -> Response:
        main = self.env.get_template(f"{name}.html").render(token=self.options.token, **values)
        if request.query_params.get("fragment") == "1":
            return secured(HTMLResponse(main))
        whole = self.env.get_template("base.html").render(
            title=title, main=Markup(main), token=self.options.token, page=name
        )
        return secured(HTMLResponse(whole))

    def annotate(self, page: BriefPage) -> str:
        """The brief's HTML with each section's problems after its heading and each
        uncited sentence linked to its finding."""
        inline = self.env.get_template("inline.html")
        by_file: dict[str, list[Problem]] = {}
        for p in page.problems:
            by_file.setdefault(p.file, []).append(p)
        pieces = _SECTION_RE.split(page.html)
        out = [pieces[0]]
        for i in range(1, len(pieces) - 2, 3):
            opening, sid, body = pieces[i], pieces[i + 1], pieces[i + 2]
            problems = by_file.get(page.files.get(sid, ""), [])
            lines = {p.line: p for p in problems if p.rule == "uncited-claim"}

            def link(match: re.Match[str], lines: dict[int, Problem] = lines) -> str:
                problem = lines.get(int(match.group(1)))
                if problem is None:
                    return match.group(0)
                anchor = "i-" + self.env.filters["anchor"](problem)
                title = Markup.escape(f"{problem.message} ({problem.file}:{problem.line})")
                return (
                    f'<span class="uncited" data-line="{match.group(1)}" tabindex="0" '
                    f'id="u-{anchor[2:]}" title="{title}" aria-describedby="{anchor}">'
                )

            body = _UNCITED_RE.sub(link, body)
            heading = body.find("</h1>")
            cut = heading + len("</h1>") if heading >= 0 else 0
            out += [opening, body[:cut], inline.render(problems=problems), body[cut:]]
        return "".join(out)


class Handlers:
    """The routes' endpoints: each asks the workspace (in a worker thread) and renders."""

    def __init__(self, workspace: Workspace, options: Options, broadcast: Broadcast) -> None:
        self.workspace, self.options, self.broadcast = workspace, options, broadcast
        self.pages = Pages(workspace, options)

    async def home(self, request: Request) -> Response:
        data = await run_in_threadpool(self.workspace.home)
        return self.pages.page(request, "home", "Workspace", home=data)

    async def brief(self, request: Request) -> Response:
        name = request.path_params["name"]
        audience = request.query_params.get("as")
        withheld = request.query_params.get("withheld", "hide")
        data = await run_in_threadpool(self.workspace.brief, name, audience, withheld)
        html = Markup(self.pages.annotate(data))
        return self.pages.page(request, "brief", data.title or name, brief=data, html=html)

    async def claims(self, request: Request) -> Response:
        rows, problems = await run_in_threadpool(self.workspace.claims)
        return self.pages.page(request, "claims", "Claim ledger", rows=rows, problems=problems)

    async def refs(self, request: Request) -> Response:
        report, problems = await run_in_threadpool(self.workspace.references)
        return self.pages.page(request, "refs", "References", report=report, problems=problems)

    def allowed(self, request: Request, token: str) -> bool:
        """A build comes from this workspace's own page: its token, and no other origin."""
        origin = request.headers.get("origin")
        own = {f"http://{h}" for h in self.options.allowed_hosts()}
        if origin is not None and origin not in own:
            return False
        return hmac.compare_digest(token.encode(), self.options.token.encode())

    async def build(self, request: Request) -> Response:
        form = await small_form(request)
        token, fmt = form.get("token", ""), form.get("format", "")
        if not self.allowed(request, token):
            return secured(Response("refused: no valid token", 403, media_type="text/plain"))
        name = request.path_params["name"]
        problems = await run_in_threadpool(self.workspace.build, name, fmt)
        if "application/json" in request.headers.get("accept", ""):
            outputs = self.workspace.built(name)
            body = {"problems": [p.__dict__ for p in problems], "outputs": outputs}
            return secured(JSONResponse(body, status_code=200 if not problems else 422))
        return secured(RedirectResponse(f"/brief/{quote(name)}", status_code=303))

    async def output(self, request: Request) -> Response:
        return serve_output(self.workspace.outdir, request.path_params["path"])

    async def media(self, request: Request) -> Response:
        """An image file of the project (briefgen.safety.image_files: a regular file inside
        it, with an image extension, not too large), shown in a brief; nothing else."""
        rel = request.path_params["path"]
        found = await run_in_threadpool(image_files, self.workspace.root)
        path = found.get(rel)
        if path is None:
            return secured(Response("not found", 404, media_type="text/plain"))
        response = secured(FileResponse(path))
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response

    async def events(self, request: Request) -> Response:
        return EventSourceResponse(self.broadcast.stream(request), ping=15)


async def small_form(request: Request, limit: int = 4096) -> dict[str, str]:
    """A small urlencoded form (a build's token and format); anything else is empty."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        return {}
    body = b""
    async for chunk in request.stream():  # never more than the limit in memory
        body += chunk
        if len(body) > limit:
            return {}
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
    return {name: values[0] for name, values in fields.items()}


def build_app(workspace: Workspace, options: Options, watch: bool = True) -> ASGI:
    """The ASGI application, Host-guarded; ``watch``: push live updates on file changes."""
    broadcast = Broadcast()
    h = Handlers(workspace, options, broadcast)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        watcher = watch_project(workspace.root, broadcast, stop) if watch else None
        task = asyncio.create_task(watcher) if watcher is not None else None
        try:
            yield
        finally:
            stop.set()
            broadcast.close()
            if task is not None:
                task.cancel()

    routes = [
        Route("/", h.home),
        Route("/brief/{name}", h.brief),
        Route("/claims", h.claims),
        Route("/refs", h.refs),
        Route("/build/{name}", h.build, methods=["POST"]),
        Route("/out/{path:path}", h.output),
        Route("/media/{path:path}", h.media),
        Route("/events", h.events),
        Mount("/static", StaticFiles(directory=STATIC, follow_symlink=False), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.broadcast = broadcast
    return host_guard(with_defaults(app), options)


def with_defaults(app: ASGI) -> ASGI:
    """Every response, static files and errors too, says nosniff and carries the CSP."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> Any:
        async def send_secured(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                defaults = (("x-content-type-options", "nosniff"), ("content-security-policy", CSP))
                for key, value in defaults:
                    if key.encode() not in names:
                        headers.append((key.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        return await app(scope, receive, send_secured)

    return wrapped


def output_path(outdir: Path, rel: str) -> Path | None:
    """The file in build/ that ``rel`` names: a regular file of a known format, neither a
    link nor under one, nothing outside build/; None otherwise."""
    parts = rel.split("/")
    if outdir.is_symlink():  # build/ itself a link: the files are not the project's
        return None
    if not rel or "\\" in rel or "\x00" in rel or any(p in ("", ".", "..") for p in parts):
        return None
    path = outdir / rel
    if path.suffix.lower() not in OUTPUT_TYPES or not inside(outdir, path):
        return None
    within = [p for p in (path, *path.parents) if inside(outdir, p) and p != outdir]
    if any(p.is_symlink() for p in within) or not path.is_file():
        return None
    return path


def serve_output(outdir: Path, rel: str) -> Response:
    """An output: a PDF or HTML shown in the browser, a DOCX downloaded."""
    path = output_path(outdir, rel)
    if path is None:
        return secured(Response("not found", 404, media_type="text/plain"))
    suffix = path.suffix.lower()
    response = secured(FileResponse(path, media_type=OUTPUT_TYPES[suffix]))
    if suffix == ".docx":
        response.headers["Content-Disposition"] = f'attachment; filename="{path.name}"'
    if suffix == ".html":  # an output page: its own styles, no script at all
        response.headers["Content-Security-Policy"] = OUTPUT_CSP
    if suffix == ".pdf":  # the browser's own viewer shows it: a policy for pages would stop it
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    return response
