-- 0008: the web dashboard (issue 19, docs/dashboard.md). The team weakness page shows how the (PostgreSQL's dialect of bot/storage/migrations/0008_dashboard.sql: the same)
-- members answered the questions they miss most (how many ticked each letter): this index finds a
-- question's answers in a guild, within a window of time, without reading the guild's other answers.
CREATE INDEX answers_question ON answers (guild_id, question_key, answered_at, letters);
