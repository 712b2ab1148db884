"""Async rate limiting for the sender: a token bucket for the whole bot and one per chat."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict


class TokenBucket:
    """At most `rate` events per second on average, with bursts up to `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = time.monotonic()
        self.paused_until = 0.0

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def delay(self) -> float:
        """Seconds to wait before the next event may go (0 when it may go now)."""
        now = time.monotonic()
        if now < self.paused_until:
            return self.paused_until - now
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        """Spend one token (call after `delay()` returned 0)."""
        self._refill(time.monotonic())
        self.tokens -= 1

    def pause(self, seconds: float) -> None:
        """Stop everything for `seconds` (the platform said "too many requests")."""
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
        self.tokens = 0


class RateLimiter:
    """A global bucket plus small per-chat buckets (kept for the most recent chats only)."""

    def __init__(self, per_second: float, per_chat_per_second: float, chat_burst: float = 3, max_chats: int = 50_000):
        self.global_bucket = TokenBucket(per_second, max(1.0, per_second))
        self.per_chat = per_chat_per_second
        self.chat_burst = chat_burst
        self.max_chats = max_chats
        self.chats: OrderedDict[str, TokenBucket] = OrderedDict()
        self._lock = asyncio.Lock()

    def _chat(self, chat_id: str) -> TokenBucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            bucket = TokenBucket(self.per_chat, self.chat_burst)
            self.chats[chat_id] = bucket
            if len(self.chats) > self.max_chats:
                self.chats.popitem(last=False)
        else:
            self.chats.move_to_end(chat_id)
        return bucket

    async def acquire(self, chat_id: str, counts_for_chat: bool = True) -> None:
        """Wait until one more message to `chat_id` is allowed."""
        if counts_for_chat:
            chat = self._chat(chat_id)
            while (wait := chat.delay()) > 0:
                await asyncio.sleep(wait)
            chat.take()
        async with self._lock:  # waiters for the global bucket go one at a time, in order
            while (wait := self.global_bucket.delay()) > 0:
                await asyncio.sleep(wait)
            self.global_bucket.take()

    def paused(self) -> bool:
        """Whether all sending is paused now (the platform said "too many requests")."""
        return time.monotonic() < self.global_bucket.paused_until

    def pause(self, seconds: float) -> None:
        """Pause all sending."""
        self.global_bucket.pause(seconds)
