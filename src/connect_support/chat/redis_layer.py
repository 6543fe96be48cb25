"""The scale-out mode's channel layer: ``channels_redis``, receiving in batches.

``channels_redis`` receives a process's messages one at a time, and each costs four
Redis round trips in a row (put back what an interrupted receive left in the backup
queue, ``BZPOPMIN``, copy the message to the backup queue, take it off the backup once
delivered), under a lock per channel. A busy process therefore receives a few hundred
messages a second, whatever its CPU (docs/chat.md). This layer keeps that design and its
guarantee (a message is always either in the channel's queue, in its backup queue, or
handed to the process) but takes every message waiting, up to ``RECEIVE_BATCH``, in the
same four round trips: after the blocking pop, one script moves the rest of the waiting
messages to the backup queue and returns them.

It also waits at most ``brpop_timeout`` = 2 s per blocking pop, well inside redis-py's
5-second socket read timeout: with both at 5 s a pop that returned empty at the last
moment under load could be taken for a dead connection and drop the WebSockets using it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels_redis.core import RedisChannelLayer

RECEIVE_BATCH = 100

# KEYS: the channel's queue, its backup queue. ARGV: the message already popped, its
# score, how many more to take. Returns the others taken, as member, score, member, ….
_TAKE_MORE = """
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
local more = redis.call('ZPOPMIN', KEYS[1], ARGV[3])
for i = 1, #more, 2 do
    redis.call('ZADD', KEYS[2], more[i + 1], more[i])
end
return more
"""

# Puts back, in order, whatever an interrupted receive left in the backup queue.
_RESTORE = """
local backed_up = redis.call('ZRANGE', ARGV[2], 0, -1, 'WITHSCORES')
for i = #backed_up, 1, -2 do
    redis.call('ZADD', ARGV[1], backed_up[i], backed_up[i - 1])
end
redis.call('DEL', ARGV[2])
"""


class BatchingRedisChannelLayer(RedisChannelLayer):  # type: ignore[misc]
    brpop_timeout = 2

    async def receive_single(self, channel: str) -> tuple[Any, Any]:
        """For the process's own channels: take every waiting message (up to the batch),
        hand each to its connection's buffer in order, and return nothing more to hand
        (``receive`` then finds its message in the buffer). Other channels: as before."""
        if "!" not in channel:
            return await super().receive_single(channel)  # type: ignore[no-any-return]
        assert self.require_valid_channel_name(channel, receive=True), "Channel name invalid"  # noqa: S101
        index = self.consistent_hash(channel)
        key = self.prefix + channel
        backup = self._backup_channel_name(key)
        connection = self.connection(index)
        await self.receive_clean_locks.acquire(key)
        try:
            first = None
            while first is None:
                await connection.eval(_RESTORE, 0, key, backup)
                first = await connection.bzpopmin(key, timeout=self.brpop_timeout)
            _name, member, score = first
            more = await connection.eval(_TAKE_MORE, 2, key, backup, member, float(score), RECEIVE_BATCH - 1)
            contents = [member, *more[0::2]]
            # No await from here to the end of the loop: every message reaches its buffer.
            for content in contents:
                message = self.deserialize(content)
                target = message.pop("__asgi_channel__", channel)
                for name in target if isinstance(target, list) else [target]:
                    self.receive_buffer[name].put_nowait(message)
            cleaner = asyncio.ensure_future(connection.delete(backup))
        except BaseException:
            self.receive_clean_locks.release(key)
            raise
        self.receive_cleaners.append(cleaner)

        def cleaned(task: asyncio.Future[Any]) -> None:
            self.receive_cleaners.remove(task)
            self.receive_clean_locks.release(key)

        cleaner.add_done_callback(cleaned)
        return [], None
