"""Pages on other websites using the customer socket and the REST API (``KEFU_CORS_ORIGINS``).

Rasa's server already runs Sanic-CORS on every route, allowing no origin when ``rasa
run`` has no ``--cors`` (our launcher passes none), and answers every ``OPTIONS`` request
itself. Rather than a second CORS mechanism beside it, :func:`allow` puts one resource in
front of Rasa's for a path prefix (the socket.io path, the assist API), allowing exactly
the listed origins: a listed origin gets ``Access-Control-Allow-Origin`` (and its
preflight answered), any other origin gets no CORS header at all. Everything else
(Rasa's own unauthenticated HTTP API, the pages) keeps Rasa's setting.

python-engineio's own CORS handling stays off (``cors_allowed_origins=[]``, as in Rasa's
socketio channel), so an answer never carries two ``Access-Control-Allow-Origin``
headers. Browsers do not apply CORS to WebSocket connections, so the socket's connect
handlers ask :func:`origin_allowed`: a listed origin, the server's own (the ``Host`` or
``X-Forwarded-Host`` the request came with) or no ``Origin`` at all (not a browser).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit

from sanic import Sanic
from sanic_cors.core import get_cors_options

logger = logging.getLogger(__name__)

ALLOWED_HEADERS = ("Authorization", "Content-Type")
EXPOSED_HEADERS = ("Retry-After",)  # the login throttle's answer
PREFLIGHT_MAX_AGE = 600  # seconds a browser may reuse a preflight answer
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def allow(app: Sanic, prefix: str, origins: Sequence[str]) -> bool:
    """Let the listed origins use every route under ``prefix`` (``/webhooks/assist/``);
    False (and nothing changed) when none is listed."""
    if not origins:
        return False
    context = getattr(app.ctx, "sanic_cors", None)
    if context is None:  # Rasa always sets it up; a bare app has no CORS to extend
        logger.warning("no Sanic-CORS on this app: %s stays same-origin only", prefix)
        return False
    options = get_cors_options(
        app,
        {
            # exact, compiled: Sanic-CORS would read "[::1]" or "?" as a regular expression
            "origins": [re.compile(re.escape(o) + r"\Z", re.IGNORECASE) for o in origins],
            "methods": ["GET", "POST", "OPTIONS"],
            "allow_headers": list(ALLOWED_HEADERS),
            "expose_headers": list(EXPOSED_HEADERS),
            "supports_credentials": False,  # bearer tokens, never cookies
            "max_age": PREFLIGHT_MAX_AGE,
            "always_send": False,  # no Origin, no CORS header
            "send_wildcard": False,
            "vary_header": True,
            "automatic_options": True,
            "intercept_exceptions": True,
        },
    )
    pattern = re.compile("^" + re.escape(prefix.rstrip("/")) + "(/|$)")
    context.resources.insert(0, (pattern, options))  # first match wins
    logger.info("cross-origin access to %s for %s", prefix, ", ".join(origins))
    return True


def origin_allowed(environ: Mapping[str, Any], origins: Sequence[str]) -> bool:
    """Whether a socket.io connection may go on: no ``Origin`` (not a browser), the
    server's own origin, or a listed one."""
    origin = (environ.get("HTTP_ORIGIN") or "").strip().lower()
    if not origin:
        return True
    if origin in origins:
        return True
    parts = urlsplit(origin)
    own = [environ.get("HTTP_HOST") or "", *(environ.get("HTTP_X_FORWARDED_HOST") or "").split(",")]
    return bool(parts.netloc) and _netloc(parts.scheme, parts.netloc) in {
        _netloc(parts.scheme, host.strip().lower()) for host in own if host.strip()
    }


def _netloc(scheme: str, netloc: str) -> str:
    default = _DEFAULT_PORTS.get(scheme)
    return netloc[: -len(default) - 1] if default and netloc.endswith(f":{default}") else netloc
