"""Settings, read once from the environment (``Settings.from_env(os.environ)``).

Tests pass their own mapping. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

DEFAULT_EMBEDDED_REDIS_PORT = 6390  # not 6379: never collide with a system Redis


class ConfigError(ValueError):
    """A setting is present but unusable; the message says which and why."""


@dataclass(frozen=True)
class RedisTarget:
    """Where Redis is, in the pieces Rasa's endpoints.yml wants."""

    host: str
    port: int
    db: int
    password: str

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
        return cls(parsed.hostname, port, db, parsed.password or "")

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}{self.host}:{self.port}/{self.db}"

    def endpoint_env(self) -> dict:
        """The variables endpoints.yml reads."""
        return {
            "REDIS_HOST": self.host,
            "REDIS_PORT": str(self.port),
            "REDIS_DB": str(self.db),
            "REDIS_PASSWORD": self.password,
        }


def _seconds(raw: str, name: str) -> int:
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"{name} must be a number of seconds, not '{raw}'")
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
    load_demo: bool = False  # into a REDIS_URL Redis too (the embedded one always gets it)

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
            load_demo=environ.get("KEFU_LOAD_DEMO") == "1",
        )

    def redis_target(self) -> RedisTarget:
        if self.redis_url:
            return RedisTarget.from_url(self.redis_url)
        return RedisTarget("127.0.0.1", self.embedded_redis_port, 0, "")
