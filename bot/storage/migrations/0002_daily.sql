-- 0002: the daily question. See docs/daily.md.
-- The server's time zone stays guild_settings.timezone (leaderboard weeks use it too);
-- guild_settings.daily_channel_id / daily_time mirror the schedule while it is on (NULL when off).

-- Per-server schedule: where, when, which questions, whom to mention.
CREATE TABLE daily_schedule (
    guild_id      INTEGER PRIMARY KEY REFERENCES guild_settings (guild_id) ON DELETE CASCADE,
    channel_id    INTEGER NOT NULL,
    time          TEXT    NOT NULL,                -- 'HH:MM' local time in guild_settings.timezone
    topics        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(topics)),  -- JSON list; [] = all
    difficulty    TEXT,                            -- 'L1' | 'L2' | 'L3' | NULL
    role_id       INTEGER,                         -- role mentioned by each daily post
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    active_since  INTEGER NOT NULL,                -- slots due before this are not posted
    last_error    TEXT,                            -- '<kind>|<detail>' of the last failure
    last_error_at INTEGER,
    updated_at    INTEGER NOT NULL
);

-- Each server's shuffled order of the bank: a random position per question, and whether it was
-- asked in the current cycle. Keys that left the bank stay (skipped) in case they come back.
CREATE TABLE daily_rotation (
    guild_id     INTEGER NOT NULL REFERENCES guild_settings (guild_id) ON DELETE CASCADE,
    question_key TEXT    NOT NULL,
    pos          INTEGER NOT NULL,
    used         INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
    PRIMARY KEY (guild_id, question_key)
) WITHOUT ROWID;

-- One row per daily post, written (with its post row) BEFORE the message is sent, so a daily is
-- never posted twice, also across a restart in the middle of sending. A scheduled run is "the
-- daily of guild G on local date D": unique. Extra posts (post-now after today's daily) have
-- scheduled = 0. status: claimed (recorded, maybe being sent) -> sent | failed | missed;
-- skipped = no post that day (/quizadmin skip).
CREATE TABLE daily_runs (
    run_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL REFERENCES guild_settings (guild_id) ON DELETE CASCADE,
    local_day    TEXT    NOT NULL,
    scheduled    INTEGER NOT NULL CHECK (scheduled IN (0, 1)),
    status       TEXT    NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'missed', 'skipped')),
    question_key TEXT,
    post_id      INTEGER REFERENCES posts (post_id) ON DELETE SET NULL,
    channel_id   INTEGER,
    role_id      INTEGER,
    due_at       INTEGER NOT NULL,
    claimed_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),  -- sends started
    attempt_at   INTEGER,
    sent_at      INTEGER,
    error        TEXT
);
CREATE UNIQUE INDEX daily_runs_slot ON daily_runs (guild_id, local_day) WHERE scheduled = 1;
CREATE INDEX daily_runs_day ON daily_runs (local_day);
CREATE INDEX daily_runs_claimed ON daily_runs (guild_id) WHERE status = 'claimed';
CREATE INDEX daily_runs_guild ON daily_runs (guild_id, run_id);
