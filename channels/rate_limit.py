"""A token bucket per conversation: how fast one conversation may send messages.

Each conversation may send `burst` messages at once, then `per_second` more each second.
Refused messages cost nothing but this check: no NLU, no tracker store, no action server.
Memory holds only conversations that were active within the last `burst / per_second`
seconds (an older bucket would be full again, so forgetting it changes nothing), and at most
`max_conversations` of them.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Optional

DEFAULT_BURST = 20
DEFAULT_PER_SECOND = 10.0
DEFAULT_MAX_CONVERSATIONS = 100_000

RATE_LIMITED_REPLY = "You're sending messages faster than I can answer; please wait a few seconds."


@dataclass
class _Bucket:
    tokens: float
    updated: float


class ConversationRateLimit:
    def __init__(
        self,
        burst: int = DEFAULT_BURST,
        per_second: float = DEFAULT_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        max_conversations: int = DEFAULT_MAX_CONVERSATIONS,
    ) -> None:
        if burst < 1 or per_second <= 0:
            raise ValueError(
                f"A rate limit needs a burst of at least 1 and a refill above 0 "
                f"(got burst {burst}, per second {per_second})."
            )
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self.max_conversations = max_conversations
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()  # least recently used first

    def wait_before(self, conversation_id: str) -> Optional[float]:
        """Take a token for a message: None if it may go ahead, else the seconds to wait."""
        now = self.clock()
        self._forget_full_buckets(now)
        bucket = self._buckets.pop(conversation_id, None) or _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        self._buckets[conversation_id] = bucket
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return (1 - bucket.tokens) / self.per_second

    def _forget_full_buckets(self, now: float) -> None:
        refill_time = self.burst / self.per_second
        while self._buckets:
            oldest = next(iter(self._buckets.values()))
            if now - oldest.updated < refill_time and len(self._buckets) < self.max_conversations:
                return
            self._buckets.popitem(last=False)


def retry_after_header(seconds: float) -> str:
    """HTTP `Retry-After`: whole seconds, rounded up so a client that waits is let through."""
    return str(max(1, math.ceil(seconds)))
