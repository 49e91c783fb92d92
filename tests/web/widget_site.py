"""A shop's website on another origin embedding rasa-webchat 1.0.1, fetched from npm.

Nothing of the widget is kept in this repository: :func:`rasa_webchat` runs ``npm install
rasa-webchat@1.0.1`` into ``.cache/npm/`` the first time (later runs reuse it) and checks
that the bundle is the one these tests were written against. :func:`serve_shop` serves a
page that mounts it, configured the way docs/live-chat.md tells a website to.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "rasa-webchat@1.0.1"
CACHE = ROOT / ".cache" / "npm" / "rasa-webchat-1.0.1"
BUNDLE = "node_modules/rasa-webchat/lib/index.js"  # the package's UMD bundle (window.WebChat)
BUNDLE_SHA256 = "bfedd788e4bd7df12f64b5bf2963e634f84bac1cb176b6cede60c507d3553f1e"

PAGE = """<!doctype html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>好物商店</title>
<style>
  body { margin: 0; font-family: "Noto Sans CJK TC", sans-serif; background: #f5f1ea; }
  header { padding: 20px 24px; background: #2f4858; color: #fff; }
  header h1 { margin: 0 0 4px; font-size: 24px; }
  main { padding: 24px; max-width: 520px; }
  #webchat { position: fixed; right: 24px; bottom: 24px; width: 380px; height: 600px; }
</style>
</head>
<body>
<header><h1>好物商店</h1><div>客服時間 09:00–21:00・全館滿千免運</div></header>
<main><h2>負離子吹風機</h2><p>NT$1,980・保固一年</p></main>
<div id="webchat"></div>
<script src="/rasa-webchat.js"></script>
<script>
  WebChat.default(@@CONFIG@@, document.getElementById("webchat"));
</script>
</body>
</html>
"""


def widget_config(socket_url: str) -> dict:
    """The widget's settings, as docs/live-chat.md gives them (plus no artificial delay)."""
    return {
        "socketUrl": socket_url,
        "socketPath": "/socket.io/",
        "customData": {"language": "zh-TW"},
        "title": "線上客服",
        "subtitle": "好物商店",
        "inputTextFieldHint": "請輸入訊息…",
        "embedded": True,
        "params": {"storage": "local"},
    }


def rasa_webchat() -> Path:
    """The widget's bundle, installed from the npm registry on first use."""
    bundle = CACHE / BUNDLE
    if not bundle.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                "npm is missing: this test installs rasa-webchat 1.0.1 from the npm registry "
                "(`make test` installs Debian's npm)"
            )
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="rasa-webchat-", dir=CACHE.parent))
        try:
            done = subprocess.run(
                [npm, "install", "--prefix", str(staging), "--ignore-scripts", "--no-audit"]
                + ["--no-fund", "--loglevel=error", PACKAGE],
                capture_output=True,
                text=True,
                timeout=900,
            )
            if done.returncode != 0:
                pytest.fail(f"npm install {PACKAGE} failed:\n{done.stderr[-2000:]}")
            if not CACHE.exists():
                staging.rename(CACHE)  # whole or not at all: a half install is never reused
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    assert digest == BUNDLE_SHA256, (
        f"{PACKAGE}'s {BUNDLE} is not the one this test knows (sha256 {digest}); "
        f"delete {CACHE} to fetch it again"
    )
    return bundle


@contextlib.contextmanager
def serve_shop(origin: str, socket_url: str, bundle: Path) -> Iterator[str]:
    """Serve the shop's page at ``origin`` (``http://127.0.0.1:<port>``) until the block
    ends; yields the page's address."""
    page = PAGE.replace("@@CONFIG@@", json.dumps(widget_config(socket_url), ensure_ascii=False))
    files = {
        "/": (page.encode(), "text/html; charset=utf-8"),
        "/rasa-webchat.js": (bundle.read_bytes(), "text/javascript; charset=utf-8"),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's name for it
            body, content_type = files.get(self.path, (b"not found", "text/plain"))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    parts = urlsplit(origin)
    server = ThreadingHTTPServer((parts.hostname, parts.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin + "/"
    finally:
        server.shutdown()
        server.server_close()
