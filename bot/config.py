"""Settings, read once from the environment (``Settings.from_env(os.environ)``).

Tests pass their own mapping. Nothing here does I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Tuple
from urllib.parse import quote, unquote, urlparse

DEFAULT_EMBEDDED_REDIS_PORT = 6390  # not 6379: never collide with a system Redis


class ConfigError(ValueError):
    """A setting is present but unusable; the message says which and why."""


@dataclass(frozen=True)
class RedisTarget:
    """Where Redis is, in the pieces Rasa's endpoints.yml wants.

    ``rediss://`` (TLS, as managed Redis services require) stays ``rediss://`` in
    :attr:`url`, and query options (``?ssl_ca_certs=/path/ca.pem``,
    ``?ssl_cert_reqs=none`` …) are kept for redis-py.
    """

    host: str
    port: int
    db: int
    password: str
    username: str = ""
    tls: bool = False
    options: str = ""  # the URL's query string, for redis-py

    @classmethod
    def from_url(cls, url: str) -> "RedisTarget":
        parsed = urlparse(url)
        if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
            raise ConfigError(f"REDIS_URL '{url}' is not a redis://host:port/db URL")
        try:
            db = int((parsed.path or "/0").lstrip("/") or 0)
            port = parsed.port or 6379
        except ValueError as exc:
            raise ConfigError(f"REDIS_URL '{url}' has a bad port or database number") from exc
        return cls(
            parsed.hostname,
            port,
            db,
            unquote(parsed.password or ""),
            unquote(parsed.username or ""),
            parsed.scheme == "rediss",
            parsed.query,
        )

    @property
    def url(self) -> str:
        user = quote(self.username, safe="")
        auth = f"{user}:{quote(self.password, safe='')}@" if self.password else ""
        if self.username and not self.password:
            auth = f"{user}@"
        query = f"?{self.options}" if self.options else ""
        return (
            f"{'rediss' if self.tls else 'redis'}://{auth}{self.host}:{self.port}/{self.db}{query}"
        )

    def endpoint_env(self) -> dict:
        """The variables a hand-written endpoints file may read (ours reads REDIS_URL)."""
        return {
            "REDIS_HOST": self.host,
            "REDIS_PORT": str(self.port),
            "REDIS_DB": str(self.db),
            "REDIS_PASSWORD": self.password,
        }


def tracker_ttl(environ: Mapping[str, str]) -> Optional[int]:
    """``KEFU_TRACKER_TTL``: seconds a tracker is kept after its last save; unset or 0: kept."""
    raw = (environ.get("KEFU_TRACKER_TTL") or "0").strip()
    if not raw.isdigit():
        raise ConfigError(f"KEFU_TRACKER_TTL must be a number of seconds, not '{raw}'")
    return int(raw) or None


_ORIGIN = re.compile(
    r"(?P<scheme>https?)://(?P<host>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])"
    r"(?::(?P<port>[0-9]{1,5}))?/?"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def cors_origins(environ: Mapping[str, str]) -> Tuple[str, ...]:
    """``KEFU_CORS_ORIGINS``: the websites (``https://shop.example``, comma-separated) whose
    pages may use the customer socket and the REST assist API; unset: none but our own.

    Each is kept as browsers send it in ``Origin``: lower case, no default port, no
    trailing slash. ``*``, paths and anything else that is not an origin fail in words.
    """
    found = []
    for item in (environ.get("KEFU_CORS_ORIGINS") or "").split(","):
        item = item.strip()
        if not item:
            continue
        match = _ORIGIN.fullmatch(item.lower())
        port = int(match["port"]) if match and match["port"] else None
        if match is None or (port is not None and not 0 < port < 65536):
            raise ConfigError(
                f"KEFU_CORS_ORIGINS: '{item}' is not an origin like https://shop.example "
                "or http://127.0.0.1:8080 (scheme, host and port only; '*' is not allowed)"
            )
        origin = f"{match['scheme']}://{match['host']}"
        if port is not None and port != _DEFAULT_PORTS[match["scheme"]]:
            origin += f":{port}"
        if origin not in found:
            found.append(origin)
    return tuple(found)


def _seconds(raw: str, name: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"{name} must be a number of seconds, not '{raw}'")
    return int(raw)


def _count(raw: str, name: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"{name} must be a positive whole number, not '{raw}'")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    """Everything the processes need to know about where things are."""

    redis_url: str | None
    embedded_redis_port: int
    host: str
    rasa_port: int
    action_port: int
    data_dir: Path
    model_path: Path
    demo_password: str = "kefu-demo"
    token_ttl: int = 8 * 3600
    policy_dir: Path = Path("data/policy")
    replies_dir: Path = Path("data/replies")
    knowledge_dir: Path = Path("data/knowledge")  # the articles (docs/knowledge.md)
    load_demo: bool = False  # into a REDIS_URL Redis too (the embedded one always gets it)
    tracker_ttl: Optional[int] = None  # seconds after a tracker's last save; None: kept
    endpoints: Path = Path("endpoints.yml")
    cors_origins: Tuple[str, ...] = ()  # other websites whose pages may chat (KEFU_CORS_ORIGINS)
    # the kind of business (data/replies/business.yml: online_shop, hotel, telecom …), for
    # the wording of the suggestions; None: generic wording (KEFU_BUSINESS)
    business: Optional[str] = None
    # a first reply within this many seconds meets the QA item (KEFU_QA_FIRST_RESPONSE_S)
    qa_first_response_s: int = 60
    # reply library searches an account may make per minute (KEFU_LIBRARY_RATE)
    library_rate: int = 60

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Settings":
        def port(name: str, default: int) -> int:
            raw = environ.get(name, str(default))
            if not raw.isdigit() or not 0 < int(raw) < 65536:
                raise ConfigError(f"{name} must be a port number, not '{raw}'")
            return int(raw)

        redis_url = environ.get("REDIS_URL") or None
        if redis_url:
            RedisTarget.from_url(redis_url)  # fail now, with a sentence, not later
        return cls(
            redis_url=redis_url,
            embedded_redis_port=port("KEFU_REDIS_PORT", DEFAULT_EMBEDDED_REDIS_PORT),
            host=environ.get("KEFU_HOST", "127.0.0.1"),
            rasa_port=port("KEFU_RASA_PORT", 5005),
            action_port=port("KEFU_ACTION_PORT", 5055),
            data_dir=Path(environ.get("KEFU_DATA_DIR", "var")),
            model_path=Path(environ.get("KEFU_MODEL", "models/kefu.tar.gz")),
            demo_password=environ.get("KEFU_DEMO_PASSWORD") or "kefu-demo",
            token_ttl=_seconds(environ.get("KEFU_TOKEN_TTL", str(8 * 3600)), "KEFU_TOKEN_TTL"),
            policy_dir=Path(environ.get("KEFU_POLICY_DIR", "data/policy")),
            replies_dir=Path(environ.get("KEFU_REPLIES_DIR", "data/replies")),
            knowledge_dir=Path(environ.get("KEFU_KNOWLEDGE_DIR", "data/knowledge")),
            load_demo=environ.get("KEFU_LOAD_DEMO") == "1",
            tracker_ttl=tracker_ttl(environ),
            endpoints=Path(environ.get("KEFU_ENDPOINTS", "endpoints.yml")),
            cors_origins=cors_origins(environ),
            business=(environ.get("KEFU_BUSINESS") or "").strip() or None,
            qa_first_response_s=_seconds(
                environ.get("KEFU_QA_FIRST_RESPONSE_S", "60"), "KEFU_QA_FIRST_RESPONSE_S"
            ),
            library_rate=_count(environ.get("KEFU_LIBRARY_RATE", "60"), "KEFU_LIBRARY_RATE"),
        )

    def redis_target(self) -> RedisTarget:
        if self.redis_url:
            return RedisTarget.from_url(self.redis_url)
        return RedisTarget("127.0.0.1", self.embedded_redis_port, 0, "")
