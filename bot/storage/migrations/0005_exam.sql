-- 0005: mock exams (/exam) and what readiness reads. See docs/storage.md and docs/exam.md.
-- Instants are INTEGER ms since the Unix epoch (UTC), local days TEXT 'YYYY-MM-DD', as in 0001.

-- A member's mock exam: open while submitted_at is NULL, at most one open exam per member and
-- server (exams_open_member). Submitting stores the result and, from then on, its items count as
-- answers in accuracy (totals, member_day, question_day, topic stats) on local_day, with no
-- points and no streak change (Store.submit_exam).
CREATE TABLE exams (
    exam_id        INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: it goes into the buttons' custom_ids
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    blueprint      TEXT    NOT NULL CHECK (blueprint <> ''),  -- the blueprint's key, e.g. 'professional'
    started_at     INTEGER NOT NULL,
    deadline       INTEGER NOT NULL,                   -- the bot submits the exam by itself then
    pass_mark      REAL    NOT NULL,                   -- percent, the blueprint's estimate when it started
    current        INTEGER NOT NULL DEFAULT 0 CHECK (current >= 0),  -- position the member last looked at
    submitted_at   INTEGER,                            -- NULL while open
    auto_submitted INTEGER NOT NULL DEFAULT 0 CHECK (auto_submitted IN (0, 1)),  -- by the time limit
    local_day      TEXT,     -- submitted_at's local day in the guild's zone then: its items' day and buckets
    correct        INTEGER,  -- the result as graded (bot.core.exam.grade): items right ...
    total          INTEGER,  -- ... out of how many
    result         TEXT CHECK (result IS NULL OR json_valid(result)),  -- the rest of it: pass mark,
                             -- [section, weight, correct, total] per section, weakest, missed, time used
    CHECK (deadline > started_at),
    CHECK ((submitted_at IS NULL) = (local_day IS NULL)),
    CHECK (submitted_at IS NULL OR (total > 0 AND correct BETWEEN 0 AND total AND result IS NOT NULL)),
    FOREIGN KEY (guild_id, user_id) REFERENCES members (guild_id, user_id) ON DELETE CASCADE
);
-- One open exam per member and server, also when two starts race (the loser's INSERT conflicts).
CREATE UNIQUE INDEX exams_open_member ON exams (guild_id, user_id) WHERE submitted_at IS NULL;
-- The timer: open exams by deadline (due_exams, next_exam_deadline).
CREATE INDEX exams_due ON exams (deadline) WHERE submitted_at IS NULL;
-- /exam history and recent_results: a member's (or the server's) submitted exams by submission time.
CREATE INDEX exams_history ON exams (guild_id, user_id, submitted_at) WHERE submitted_at IS NOT NULL;

-- The questions of an exam, in the order the member sees them. The correct letters stay here and
-- never go into a custom_id.
CREATE TABLE exam_items (
    exam_id         INTEGER NOT NULL REFERENCES exams (exam_id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position >= 0),  -- 0-based
    question_key    TEXT    NOT NULL,
    section         TEXT    NOT NULL,   -- the blueprint section it was drawn for
    correct_letters TEXT    NOT NULL CHECK (correct_letters <> ''),  -- sorted, e.g. 'AD'
    option_letters  TEXT    NOT NULL CHECK (option_letters <> ''),   -- the letters offered, e.g. 'ABCDE'
    chosen          TEXT    NOT NULL DEFAULT '',  -- sorted letters picked; '' = not answered (wrong once submitted)
    flagged         INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),  -- marked for review
    PRIMARY KEY (exam_id, position)
) WITHOUT ROWID;

-- The items of submitted exams as answers: what accuracy, topic stats, rebuild_aggregates and
-- recent_results read beside `answers` (points 0; an unanswered item is a wrong answer).
CREATE VIEW exam_answers AS
SELECT e.exam_id, e.guild_id, e.user_id, i.position, i.question_key,
       CAST(i.chosen = i.correct_letters AS INTEGER) AS correct,
       e.submitted_at AS answered_at, e.local_day
FROM exams AS e JOIN exam_items AS i ON i.exam_id = e.exam_id
WHERE e.submitted_at IS NOT NULL;

-- recent_results (readiness): a member's answers newest first, and the server's, without reading
-- every answer of the server.
CREATE INDEX answers_member_time ON answers (guild_id, user_id, answered_at);
CREATE INDEX answers_guild_time ON answers (guild_id, answered_at);
