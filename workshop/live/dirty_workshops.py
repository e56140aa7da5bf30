"""Which workshops need a fresh push, shared by every server process through Redis.

Infra layer; imports nothing of the package (it is handed a Redis client). Used by
`presence.RedisPresence`: a hash of change counters, so that the pusher forgets only the
workshops that did not change again while it pushed them.
"""

from __future__ import annotations

from typing import Any

# Forget each pushed workshop whose counter is still the one taken (ARGV: code, counter...).
_DONE = """
for i = 1, #ARGV, 2 do
    if redis.call('hget', KEYS[1], ARGV[i]) == ARGV[i + 1] then
        redis.call('hdel', KEYS[1], ARGV[i])
    end
end
return 0
"""


class DirtyWorkshops:
    """The hash `key` in Redis: join code -> how many changes since the last push."""

    def __init__(self, redis: Any, key: str) -> None:
        self.redis = redis
        self.key = key
        self._done = redis.register_script(_DONE)

    def mark(self, code: str, pipe: Any = None) -> None:
        """Count a change of a workshop (queued on `pipe` if given, else sent at once)."""
        (pipe if pipe is not None else self.redis).hincrby(self.key, code, 1)

    def mark_all(self, codes: list[str]) -> None:
        """Mark every one of `codes` as needing a push."""
        if codes:
            self.redis.hset(self.key, mapping=dict.fromkeys(codes, 1))

    def take(self) -> dict[str, Any]:
        """Return the changed workshops, each with its counter (to pass to `done`)."""
        raw = self.redis.hgetall(self.key)
        return {key.decode(): value for key, value in raw.items()}

    def done(self, taken: dict[str, Any]) -> None:
        """Forget the workshops of `taken` that did not change again meanwhile."""
        if taken:
            args: list[Any] = []
            for code, counter in taken.items():
                args += [code, counter]
            self._done(keys=[self.key], args=args)
