-- 0001: initial schema. See docs/storage.md.
-- Instants are INTEGER milliseconds since the Unix epoch (UTC).
-- Local days are TEXT 'YYYY-MM-DD' in the guild's time zone at the time of the answer.
-- Totals buckets: 'all' | 'week:YYYY-MM-DD' (local Monday) | 'month:YYYY-MM-01'.

-- One row per guild the bot has seen; the settings live here. New settings: add a column in a
-- later migration, or keep small free-form ones in `extra` (a JSON object).
CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    timezone            TEXT    NOT NULL DEFAULT 'UTC',
    locale              TEXT    NOT NULL DEFAULT 'en',
    practice_cooldown_s INTEGER NOT NULL DEFAULT 30    CHECK (practice_cooldown_s >= 0),
    practice_lifetime_s INTEGER NOT NULL DEFAULT 86400  CHECK (practice_lifetime_s > 0),
    daily_lifetime_s    INTEGER NOT NULL DEFAULT 86400 CHECK (daily_lifetime_s > 0),
    daily_channel_id    INTEGER,
    daily_time          TEXT,   -- 'HH:MM' local, NULL = no scheduled daily
    extra               TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(extra)),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);

-- Members who ever answered (or were seen), with the last display name we saw, so that a
-- member who left is still shown by name on leaderboards.
CREATE TABLE members (
    guild_id     INTEGER NOT NULL REFERENCES guild_settings (guild_id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    display_name TEXT,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

-- A question posted with answer buttons. post_id is ours and goes into the custom_ids;
-- the correct letters stay here and never leave the database in a custom_id.
CREATE TABLE posts (
    post_id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id        INTEGER NOT NULL REFERENCES guild_settings (guild_id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL,
    message_id      INTEGER UNIQUE,  -- NULL until the message is sent
    question_key    TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('daily', 'practice')),
    correct_letters TEXT    NOT NULL CHECK (correct_letters <> ''),
    option_letters  TEXT    NOT NULL DEFAULT '',
    requested_by    INTEGER,         -- member who asked for a practice post
    created_at      INTEGER NOT NULL,
    posted_at       INTEGER,         -- when the message id was recorded
    closes_at       INTEGER NOT NULL,
    closed_at       INTEGER,
    CHECK (closes_at >= created_at)
);
CREATE INDEX posts_due ON posts (closes_at) WHERE closed_at IS NULL;
CREATE INDEX posts_guild ON posts (guild_id, kind, created_at);
CREATE INDEX posts_requester ON posts (guild_id, requested_by, created_at) WHERE requested_by IS NOT NULL;

-- One row per answer; the first answer of a member to a post is final (UNIQUE).
-- guild_id and question_key are copied from the post so that per-member queries need no join.
CREATE TABLE answers (
    answer_id    INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts (post_id) ON DELETE CASCADE,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    question_key TEXT    NOT NULL,
    letters      TEXT    NOT NULL CHECK (letters <> ''),
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    points       INTEGER NOT NULL CHECK (points >= 0),
    answered_at  INTEGER NOT NULL,
    latency_ms   INTEGER NOT NULL CHECK (latency_ms >= 0),
    local_day    TEXT    NOT NULL,
    UNIQUE (post_id, user_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES members (guild_id, user_id) ON DELETE CASCADE
);
-- Covers: "has this member answered this question correctly here" (practice farming),
-- "questions answered correctly", and per-member topic/trap stats.
CREATE INDEX answers_member ON answers (guild_id, user_id, question_key, correct);

-- Per-member totals per period bucket, kept up to date as answers are written, so a leaderboard
-- reads an index and never scans answers. acc is set once a member has 10 answers in the bucket
-- (LEADERBOARD_MIN_ANSWERS in bot/core/rules.py).
CREATE TABLE totals (
    guild_id INTEGER NOT NULL,
    bucket   TEXT    NOT NULL,
    user_id  INTEGER NOT NULL,
    points   INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    answers  INTEGER NOT NULL DEFAULT 0 CHECK (answers >= 0),
    correct  INTEGER NOT NULL DEFAULT 0 CHECK (correct >= 0 AND correct <= answers),
    acc      REAL GENERATED ALWAYS AS (
                 CASE WHEN answers >= 10 THEN CAST(correct AS REAL) / answers END) VIRTUAL,
    PRIMARY KEY (guild_id, bucket, user_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES members (guild_id, user_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX totals_points ON totals (guild_id, bucket, points DESC, user_id);
CREATE INDEX totals_acc ON totals (guild_id, bucket, acc DESC, answers DESC, user_id) WHERE acc IS NOT NULL;
CREATE INDEX totals_member ON totals (guild_id, user_id);

-- Streaks: consecutive daily posts answered correctly.
CREATE TABLE streaks (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    current      INTEGER NOT NULL DEFAULT 0 CHECK (current >= 0),
    best         INTEGER NOT NULL DEFAULT 0 CHECK (best >= current),
    last_post_id INTEGER,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES members (guild_id, user_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX streaks_current ON streaks (guild_id, current DESC, user_id) WHERE current > 0;
CREATE INDEX streaks_best ON streaks (guild_id, best DESC, user_id) WHERE best > 0;

-- Rank histograms: how many members hold each value of a leaderboard metric. A rank is
-- 1 + the members above, summed over distinct values (a few hundred rows) instead of counted
-- over every member. points_hist and acc_hist are kept by the code that writes totals (the
-- answer writer adds each batch's net changes; rebuild_aggregates recomputes them); streak_hist
-- is kept by the triggers below, whoever writes streaks.
CREATE TABLE points_hist (
    guild_id INTEGER NOT NULL,
    bucket   TEXT    NOT NULL,
    points   INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (guild_id, bucket, points)
) WITHOUT ROWID;

CREATE TABLE acc_hist (
    guild_id INTEGER NOT NULL,
    bucket   TEXT    NOT NULL,
    acc      REAL    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (guild_id, bucket, acc)
) WITHOUT ROWID;

CREATE TABLE streak_hist (
    guild_id INTEGER NOT NULL,
    which    TEXT    NOT NULL CHECK (which IN ('current', 'best')),
    value    INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (guild_id, which, value)
) WITHOUT ROWID;

CREATE TRIGGER streaks_hist_insert AFTER INSERT ON streaks BEGIN
    INSERT INTO streak_hist (guild_id, which, value, n) VALUES (new.guild_id, 'current', new.current, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO streak_hist (guild_id, which, value, n) VALUES (new.guild_id, 'best', new.best, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER streaks_hist_current AFTER UPDATE OF current ON streaks WHEN old.current <> new.current BEGIN
    UPDATE streak_hist SET n = n - 1
        WHERE guild_id = old.guild_id AND which = 'current' AND value = old.current;
    INSERT INTO streak_hist (guild_id, which, value, n) VALUES (new.guild_id, 'current', new.current, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER streaks_hist_best AFTER UPDATE OF best ON streaks WHEN old.best <> new.best BEGIN
    UPDATE streak_hist SET n = n - 1
        WHERE guild_id = old.guild_id AND which = 'best' AND value = old.best;
    INSERT INTO streak_hist (guild_id, which, value, n) VALUES (new.guild_id, 'best', new.best, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER streaks_hist_delete AFTER DELETE ON streaks BEGIN
    UPDATE streak_hist SET n = n - 1
        WHERE guild_id = old.guild_id AND which = 'current' AND value = old.current;
    UPDATE streak_hist SET n = n - 1
        WHERE guild_id = old.guild_id AND which = 'best' AND value = old.best;
END;

-- Daily aggregates in the guild's local days, for server stats over a window (last 30 days):
-- per question (and through question_tags per topic / trap) and per member (participation).
CREATE TABLE question_day (
    guild_id     INTEGER NOT NULL,
    day          TEXT    NOT NULL,
    question_key TEXT    NOT NULL,
    answers      INTEGER NOT NULL,
    correct      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, day, question_key)
) WITHOUT ROWID;

CREATE TABLE member_day (
    guild_id INTEGER NOT NULL,
    day      TEXT    NOT NULL,
    user_id  INTEGER NOT NULL,
    answers  INTEGER NOT NULL,
    correct  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, day, user_id)
) WITHOUT ROWID;

-- Topics, trap tags (and any other kind of tag) of each question, synced from the in-memory
-- bank by Storage.sync_question_tags(). Not per guild: the bank is the same everywhere.
CREATE TABLE question_tags (
    question_key TEXT NOT NULL,
    kind         TEXT NOT NULL,  -- 'topic' | 'trap' | 'domain'
    tag          TEXT NOT NULL,
    PRIMARY KEY (question_key, kind, tag)
) WITHOUT ROWID;
CREATE INDEX question_tags_tag ON question_tags (kind, tag);
