"""The browser pages the live channel serves: customer chat, agent console, supervisor pages.

The pages are static files in ``bot/web/`` (HTML, CSS, JavaScript and the vendored
socket.io client); they talk to the server only through the socket.io protocol and the
REST assist API, like any other client. The staff pages' scripts are ES modules
(``<script type="module">``): ``console.js`` and ``supervisor.js`` import their parts from
``console/``, ``supervisor/``, ``charts/`` and the shared ``staff/``, so those are served under
``static/<folder>/<name>`` and, like every script, as ``text/javascript`` (a browser runs
a module only with a JavaScript type). Only the files listed here are served, read when
first asked for. Every answer carries a Content-Security-Policy that allows scripts from
this server only, so even a script tag that slipped into a page could not run; the pages
themselves put every outside text into the DOM with ``textContent``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Dict, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
PAGES = {"chat": "chat.html", "console": "console.html", "supervisor": "supervisor.html"}
CSS = "text/css; charset=utf-8"
JS = "text/javascript; charset=utf-8"
STYLES = ("base.css", "chat.css", "console.css", "staff.css", "supervisor.css")
SCRIPTS = (
    "chat.js",
    "socket.io.min.js",
    "charts.js",
    "charts/frame.js",
    # shared by the staff pages
    "staff/api.js",
    "staff/dom.js",
    "staff/labels.js",
    "staff/session.js",
    "staff/socket.js",
    # the agent console
    "console.js",
    "console/assist.js",
    "console/close.js",
    "console/compensation.js",
    "console/composer.js",
    "console/conversation.js",
    "console/library.js",
    "console/queue.js",
    "console/state.js",
    "console/suggestions.js",
    # the supervisor pages
    "supervisor.js",
    "supervisor/detail.js",
    "supervisor/format.js",
    "supervisor/kpis.js",
    "supervisor/monitor.js",
    "supervisor/qa.js",
    "supervisor/ratings.js",
    "supervisor/review.js",
    "supervisor/scorecard.js",
    "supervisor/selection.js",
)
ASSETS = {**{name: CSS for name in STYLES}, **{name: JS for name in SCRIPTS}}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@functools.cache
def _read(name: str) -> bytes:
    path = WEB_DIR / name if name in PAGES.values() else WEB_DIR / _asset_path(name)
    return path.read_bytes()


def _asset_path(name: str) -> str:
    return f"vendor/{name}" if name == "socket.io.min.js" else name


def page(name: str) -> Tuple[bytes, str]:
    """The bytes and content type of a page or asset; KeyError for anything else."""
    if name in PAGES:
        return _read(PAGES[name]), "text/html; charset=utf-8"
    content_type = ASSETS[name]  # only listed names ever touch the disk
    return _read(name), content_type


def add_routes(blueprint: Blueprint) -> None:
    """``chat``, ``console``, ``supervisor`` and ``static/<name>`` (``name`` may hold one
    folder, as ``staff/api.js``) under the channel's prefix."""

    def serve(name: str) -> HTTPResponse:
        try:
            body, content_type = page(name)
        except KeyError:
            return response.json({"error": "找不到這個檔案"}, status=404)
        return response.raw(body, content_type=content_type, headers=dict(SECURITY_HEADERS))

    @blueprint.route("/chat", methods=["GET"])
    async def chat_page(_: Request) -> HTTPResponse:
        return serve("chat")

    @blueprint.route("/console", methods=["GET"])
    async def console_page(_: Request) -> HTTPResponse:
        return serve("console")

    @blueprint.route("/supervisor", methods=["GET"])
    async def supervisor_page(_: Request) -> HTTPResponse:
        return serve("supervisor")

    @blueprint.route("/static/<name:path>", methods=["GET"])
    async def asset(_: Request, name: str) -> HTTPResponse:
        return serve(name)


def urls(base: str) -> Dict[str, str]:
    """The three page addresses for a server at ``base`` (the launcher prints them)."""
    return {
        "chat": f"{base}/webhooks/live/chat",
        "console": f"{base}/webhooks/live/console",
        "supervisor": f"{base}/webhooks/live/supervisor",
    }
