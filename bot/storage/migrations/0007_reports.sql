-- 0007: members' reports of broken questions, and the questions a server paused (issue 21).
-- See docs/reports.md and docs/storage.md. Instants are INTEGER ms since the Unix epoch (UTC), as in 0001.

-- A member's report on a question of the bank, in one server. Open until an admin resolves the
-- question's reports (with a reply for the reporters); at most one open report per member and
-- question (reports_open_member), also when two submissions race.
CREATE TABLE reports (
    report_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL REFERENCES guild_settings (guild_id) ON DELETE CASCADE,
    question_key TEXT    NOT NULL CHECK (question_key <> ''),
    bank_commit  TEXT,            -- the bank's Git commit when filed; NULL when the bank is not from Git
    user_id      INTEGER NOT NULL,
    display_name TEXT,            -- the member's name when filed (a member who left is still named)
    locale       TEXT,            -- the member's language then ('en', 'zh-TW'): of the reply by DM
    kind         TEXT    NOT NULL
                 CHECK (kind IN ('wrong_answer', 'unclear', 'outdated', 'explanation', 'other')),
    note         TEXT    NOT NULL CHECK (length(note) BETWEEN 1 AND 1000),
    created_at   INTEGER NOT NULL,
    notify_dm    INTEGER NOT NULL DEFAULT 0 CHECK (notify_dm IN (0, 1)),  -- the reply by direct message
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolved_at  INTEGER,
    resolved_by  INTEGER,
    resolution   TEXT,            -- the admin's reply to the reporters
    delivered    INTEGER NOT NULL DEFAULT 0 CHECK (delivered IN (0, 1)),  -- the reply reached the member
    CHECK ((status = 'open') = (resolved_at IS NULL)),
    CHECK (status = 'resolved' OR delivered = 0)
);
-- One open report per member and question in a server.
CREATE UNIQUE INDEX reports_open_member ON reports (guild_id, question_key, user_id) WHERE status = 'open';
-- The rate limit: a member's reports in a server by time.
CREATE INDEX reports_member_time ON reports (guild_id, user_id, created_at);
-- Replies still to deliver (read at start, then per member).
CREATE INDEX reports_undelivered ON reports (guild_id, user_id) WHERE status = 'resolved' AND delivered = 0;

-- A question a server took out of its daily rotation and /quiz until unpaused. The bank is shared
-- by every server and stays as it is.
CREATE TABLE paused_questions (
    guild_id     INTEGER NOT NULL REFERENCES guild_settings (guild_id) ON DELETE CASCADE,
    question_key TEXT    NOT NULL CHECK (question_key <> ''),
    paused_by    INTEGER,
    paused_at    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, question_key)
) WITHOUT ROWID;
