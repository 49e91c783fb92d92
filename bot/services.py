"""The long-lived objects a process needs, created on first use and reused.

One :class:`Services` per event loop (the action server and the Rasa server each run
one loop; tests run one per test): a ``redis.asyncio`` client, the stores over it, the
policy and the reply templates. Nothing here runs at import time.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Optional, Tuple

from bot.assist.replies import Replies, load_replies
from bot.channels.degraded import DeferredTurns, Recollection
from bot.config import Settings
from bot.log.outcomes import OutcomeLog
from bot.log.views import OutcomeViews
from bot.policy import Policy, load_policy
from bot.store.accounts import Accounts
from bot.store.conversations import Conversations
from bot.store.corrections import Corrections
from bot.store.grants import Grants
from bot.store.profiles import Profiles
from bot.store.template_stats import TemplateStatsStore
from bot.store.throttle import LoginThrottle


@dataclass
class Services:
    settings: Settings
    redis: object
    accounts: Accounts
    conversations: Conversations
    profiles: Profiles
    grants: Grants
    outcomes: OutcomeLog
    outcome_views: OutcomeViews
    corrections: Corrections
    throttle: LoginThrottle
    recollection: Recollection
    deferred: DeferredTurns
    template_stats: TemplateStatsStore
    policy: Policy
    replies: Replies

    @classmethod
    def create(cls, settings: Settings) -> "Services":
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(
            settings.redis_target().url, socket_timeout=2, socket_connect_timeout=2
        )
        return cls(
            settings=settings,
            redis=client,
            accounts=Accounts(client, settings.token_ttl),
            conversations=Conversations(client),
            profiles=Profiles(client),
            grants=Grants(client),
            outcomes=OutcomeLog(client, settings.data_dir / "spool"),
            outcome_views=OutcomeViews(client),
            template_stats=TemplateStatsStore(client),
            corrections=Corrections(client),
            throttle=LoginThrottle(client),
            recollection=Recollection(),
            deferred=DeferredTurns(settings.data_dir / "spool"),
            policy=load_policy(settings.policy_dir),
            replies=load_replies(settings.replies_dir),
        )


# the event loop the services were made for, and the services: the loop itself is kept
# (not its id), so a loop made after this one is closed can never be taken for it
_current: Optional[Tuple[asyncio.AbstractEventLoop, Services]] = None


def get_services(settings: Optional[Settings] = None) -> Services:
    """This event loop's services (created from the environment on first use)."""
    global _current
    loop = asyncio.get_running_loop()
    if _current is None or _current[0] is not loop:
        # one loop per process in production; tests start a new one each time
        _current = (loop, Services.create(settings or Settings.from_env(os.environ)))
    return _current[1]
