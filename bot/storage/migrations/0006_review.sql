-- 0006: spaced repetition (/review) and its reminders. See docs/review.md and docs/storage.md.
-- Instants are INTEGER ms since the Unix epoch (UTC), local days TEXT 'YYYY-MM-DD', as in 0001.

-- A member's card for a question in a server: its FSRS state (py-fsrs's Card.to_dict() as JSON)
-- with the due instant copied out of it for the indexes. Every answer of every kind schedules
-- it (wrong = Again, right = Good); /review answers may rate Hard or Easy.
CREATE TABLE cards (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    question_key TEXT    NOT NULL,
    due          INTEGER NOT NULL,
    last_review  INTEGER NOT NULL,
    reps         INTEGER NOT NULL CHECK (reps > 0),                 -- answers that scheduled it
    lapses       INTEGER NOT NULL CHECK (lapses BETWEEN 0 AND reps), -- of those, rated Again
    last_rating  INTEGER NOT NULL CHECK (last_rating BETWEEN 1 AND 4),
    state        TEXT    NOT NULL CHECK (json_valid(state)),
    PRIMARY KEY (guild_id, user_id, question_key)
) WITHOUT ROWID;
-- /review's next card (most overdue first) and a member's due counts: one index range.
CREATE INDEX cards_due ON cards (guild_id, user_id, due);

-- Answers not yet folded into `cards`: the answer writer adds one row per stored answer in the
-- answer's own transaction (cheap and durable), submit_exam one per item; FSRS runs later, in
-- batches (Store.fold_reviews) and before any read of a member's cards.
CREATE TABLE review_pending (
    pending_id   INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    question_key TEXT    NOT NULL,
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at  INTEGER NOT NULL
);
CREATE INDEX review_pending_member ON review_pending (guild_id, user_id, pending_id);

-- /review answers (they add no points and touch no streak): retention is read from here.
CREATE TABLE reviews (
    review_id    INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    question_key TEXT    NOT NULL,
    reviewed_at  INTEGER NOT NULL,
    correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    seen_before  INTEGER NOT NULL CHECK (seen_before IN (0, 1)),  -- the card existed: a recall attempt
    due_before   INTEGER                                          -- its due instant then (NULL: new)
);
CREATE INDEX reviews_member ON reviews (guild_id, user_id, reviewed_at);

-- Opt-in daily reminders: at `time` (local, in the server's zone) when cards are due, at most
-- once per local day: `last_sent_day` is claimed in the same transaction that counts due cards.
CREATE TABLE review_reminders (
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    enabled       INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    time          TEXT    NOT NULL,   -- 'HH:MM'
    last_sent_day TEXT,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE INDEX review_reminders_on ON review_reminders (guild_id) WHERE enabled = 1;

-- Seeding, once: the answers stored before this migration (posts and submitted exams) are queued
-- in the order they were given, so folding replays them through FSRS. A migration runs once
-- (PRAGMA user_version), so nothing is queued twice; the meta row records how many were queued.
INSERT INTO review_pending (guild_id, user_id, question_key, correct, answered_at)
SELECT guild_id, user_id, question_key, correct, answered_at FROM (
    SELECT guild_id, user_id, question_key, correct, answered_at, 0 AS src, answer_id AS n FROM answers
    UNION ALL
    SELECT guild_id, user_id, question_key, correct, answered_at, 1, exam_id * 1000 + position FROM exam_answers
)
ORDER BY answered_at, src, n;

INSERT INTO meta (key, value, updated_at)
VALUES ('review.seeded', (SELECT count(*) FROM review_pending), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
