-- 0010: nothing changes in SQLite. PostgreSQL's 0010 (bot/storage/postgres/migrations/) keeps
-- the streak histogram with one trigger call per statement instead of per row, which PostgreSQL
-- runs as a plan of its own each time; SQLite's row triggers (0001) run in process and cost
-- little. The number is kept in step so that both backends' schema versions stay the same
-- (`quizbot migrate-db` and `quizbot backup` compare them).
SELECT 1;
