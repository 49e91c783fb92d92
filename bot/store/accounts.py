"""Staff accounts and bearer tokens.

Passwords are stored as PBKDF2-SHA256 hashes with a per-user salt; tokens are random,
stored only as their SHA-256 digest, and expire. A caller's role is read from the
account at every request, never taken from the request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Optional

from bot.store import keys

ITERATIONS = 120_000
DEFAULT_TOKEN_TTL = 8 * 3600


@dataclass(frozen=True)
class Account:
    username: str
    name: str  # how the agent signs replies, e.g. 小美
    role: str


def hash_password(password: str, salt: Optional[bytes] = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, iterations, salt, digest = stored.split("$")
        computed = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), bytes.fromhex(salt), int(iterations)
        )
    except ValueError:
        return False
    return hmac.compare_digest(computed.hex(), digest)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Accounts and tokens in Redis (``redis.asyncio`` client)."""

    def __init__(self, redis, token_ttl: int = DEFAULT_TOKEN_TTL) -> None:  # noqa: ANN001
        self._redis = redis
        self._ttl = token_ttl

    async def get(self, username: str) -> Optional[Account]:
        data = await self._redis.hgetall(keys.user(username))
        if not data:
            return None
        return Account(username, data[b"name"].decode(), data[b"role"].decode())

    async def login(self, username: str, password: str) -> Optional[tuple]:
        """``(token, account)`` for the right password, else None."""
        try:
            keys.check_id(username, "username")
        except keys.BadId:
            return None
        stored = await self._redis.hget(keys.user(username), "password")
        if stored is None or not verify_password(password, stored.decode()):
            return None
        account = await self.get(username)
        token = secrets.token_urlsafe(32)
        record = json.dumps({"username": username, "issued": time.time()})
        await self._redis.set(keys.token(_digest(token)), record, ex=self._ttl)
        return token, account

    async def authenticate(self, token: str) -> Optional[Account]:
        """The account behind a live token, or None (unknown, forged or expired)."""
        if not token or len(token) > 256:
            return None
        record = await self._redis.get(keys.token(_digest(token)))
        if record is None:
            return None
        return await self.get(json.loads(record)["username"])


def save_account_sync(redis, account: Account, password: str) -> None:  # noqa: ANN001
    """Create or update an account (sync client: used by the demo loader)."""
    redis.hset(
        keys.user(account.username),
        mapping={"name": account.name, "role": account.role, "password": hash_password(password)},
    )
