"""Which one of several server processes is the pusher: a lease in Redis, renewed each tick.

Infra layer; imports nothing of the package (it is handed a Redis client). Used by
`presence.RedisPresence`: exactly one process at a time holds the lease; if it dies,
another takes it over within the lease's length.
"""

from __future__ import annotations

from typing import Any

# Renew the lease if this process holds it, else take it if nobody does.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    redis.call('pexpire', KEYS[1], ARGV[2]) return 1
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""


class PusherLease:
    """The lease `key` in Redis, held for `seconds` at a time by the process `holder`."""

    def __init__(self, redis: Any, key: str, holder: str, seconds: float) -> None:
        self.redis = redis
        self.key = key
        self.holder = holder
        self.milliseconds = int(seconds * 1000)
        self.held = False
        self._fresh = False
        self._renew = redis.register_script(_RENEW)

    def renew(self) -> bool:
        """Hold on to the lease or take it if free; return whether this process holds it."""
        was = self.held
        self.held = bool(self._renew(keys=[self.key], args=[self.holder, self.milliseconds]))
        if self.held and not was:
            self._fresh = True
        return self.held

    def just_taken(self) -> bool:
        """Say, once, whether the lease was taken since this was last asked."""
        fresh, self._fresh = self._fresh, False
        return fresh

    def release(self) -> None:
        """Give the lease up (on a clean shutdown) so that another process takes it at once."""
        if self.held:
            self.redis.delete(self.key)
