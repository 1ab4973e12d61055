"""A circuit breaker for the shared cache (Redis): once a call fails, skip the cache for
COOLDOWN seconds instead of paying a connection attempt (up to the 0.5 s socket timeout) on
every request, and log the outage once per cooldown rather than once per request."""

import logging
import time

log = logging.getLogger(__name__)
COOLDOWN = 30.0


class CacheBreaker:
    def __init__(self, name, cooldown=COOLDOWN, clock=time.monotonic):
        self.name = name
        self.cooldown = cooldown
        self.clock = clock
        self.open_until = 0.0

    def call(self, fn, fallback):
        """fn() while the cache works; `fallback` (without calling fn) for `cooldown` seconds
        after a failure."""
        if self.clock() < self.open_until:
            return fallback
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - any cache failure
            self.open_until = self.clock() + self.cooldown
            log.warning(
                "Cache unavailable for %s (%s: %s); going without it for %.0f s.",
                self.name,
                exc.__class__.__name__,
                exc,
                self.cooldown,
            )
            return fallback


markdown_cache = CacheBreaker("rendered markdown")
throttle_cache = CacheBreaker("API throttles")
