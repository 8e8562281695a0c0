-- 0004: what the spoiler rule and the private-post limit need. See docs/daily.md and docs/storage.md. (PostgreSQL's dialect of bot/storage/migrations/0004_spoiler.sql)

-- An ephemeral /quiz post (only its requester sees it). requested_by is now set for these too;
-- the practice cooldown counts public posts only.
ALTER TABLE posts ADD COLUMN private BIGINT  NOT NULL DEFAULT 0 CHECK (private IN (0, 1));

-- The open daily posts, by question: every door asks "is this question an open daily somewhere?".
CREATE INDEX posts_open_daily ON posts (question_key, guild_id) WHERE closed_at IS NULL AND kind = 'daily';

-- A member's open private posts in a server (at most a few: /quiz private:true is limited).
CREATE INDEX posts_open_private ON posts (guild_id, requested_by) WHERE closed_at IS NULL AND private = 1;
