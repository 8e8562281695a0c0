"""Helper process for the crash test (tests/test_storage_crash.py); not a test itself.

    python tests/crash_writer.py STORE_TARGET GUILD_ID POSTS SUBMITTERS

Opens the store (`bot.storage.open_store`: an SQLite path today), creates POSTS daily/practice posts, then SUBMITTERS concurrent members answer
every post in a burst (with a duplicate click now and then). After each `record_answer` returns
it prints one line, flushed, to stdout:

    stored ANSWER_ID POST_ID USER_ID LETTERS     (acknowledged: the answer is committed)
    duplicate ANSWER_ID POST_ID USER_ID LETTERS  (the earlier answer that stands)

It prints "ready" once the posts exist. The test kills it with SIGKILL mid-burst.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.storage import open_store


async def main(target: str, guild_id: int, n_posts: int, submitters: int) -> None:
    storage = await open_store(target)
    now = datetime.now(UTC)
    posts = []
    for i in range(n_posts):
        kind = "daily" if i % 3 == 0 else "practice"
        posts.append(
            await storage.create_post(
                guild_id,
                1,
                f"crash/Q-{i % 7}",
                kind,
                "B",
                option_letters="ABCD",
                created_at=now,
                closes_at=now + timedelta(days=1),
            )
        )
    out = sys.stdout
    out.write("ready\n")
    out.flush()

    async def member(uid: int) -> None:
        for j, post in enumerate(posts):
            letters = "B" if (uid + j) % 3 else "C"
            clicks = 2 if (uid + j) % 11 == 0 else 1  # a double click now and then
            results = await asyncio.gather(
                *(
                    storage.record_answer(guild_id, post.post_id, uid, letters, display_name=f"m{uid}")
                    for _ in range(clicks)
                )
            )
            for o in results:
                out.write(f"{o.status} {o.answer_id} {post.post_id} {uid} {o.letters}\n")
            out.flush()

    await asyncio.gather(*(member(1000 + u) for u in range(submitters)))
    await storage.close()
    out.write("done\n")
    out.flush()


if __name__ == "__main__":
    db, guild, n, subs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    asyncio.run(main(db, guild, n, subs))
