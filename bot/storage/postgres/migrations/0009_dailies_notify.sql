-- 0009: every process hears when the open daily posts change (issue 20; docs/storage.md). Each
-- process keeps the question keys of the open dailies in memory for the spoiler check of every
-- click (bot/storage/shared.py OpenDailyKeys); a change by another process must reach it. These
-- triggers NOTIFY channel `quizbot_dailies` from the transaction that opens, closes, gives up or
-- deletes a daily post, whoever runs it (a bot, `quizbot` commands, psql): PostgreSQL delivers
-- the notice at COMMIT, together with the change, and not at all on ROLLBACK. One notice per
-- transaction (identical payloads are folded), whatever the number of rows.
CREATE FUNCTION posts_dailies_notify() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('quizbot_dailies', json_build_object('schema', TG_TABLE_SCHEMA)::text);
    RETURN NULL;
END $$;

CREATE TRIGGER posts_dailies_insert AFTER INSERT ON posts FOR EACH ROW
    WHEN (new.kind = 'daily' AND new.closed_at IS NULL)
    EXECUTE FUNCTION posts_dailies_notify();

-- A row that is an open daily before or after, and the set of open daily keys may differ.
CREATE TRIGGER posts_dailies_update AFTER UPDATE OF kind, closed_at, question_key ON posts FOR EACH ROW
    WHEN ((old.kind = 'daily' AND old.closed_at IS NULL) IS DISTINCT FROM (new.kind = 'daily' AND new.closed_at IS NULL)
          OR (new.kind = 'daily' AND new.closed_at IS NULL AND old.question_key IS DISTINCT FROM new.question_key))
    EXECUTE FUNCTION posts_dailies_notify();

CREATE TRIGGER posts_dailies_delete AFTER DELETE ON posts FOR EACH ROW
    WHEN (old.kind = 'daily' AND old.closed_at IS NULL)
    EXECUTE FUNCTION posts_dailies_notify();

CREATE TRIGGER posts_dailies_truncate AFTER TRUNCATE ON posts FOR EACH STATEMENT
    EXECUTE FUNCTION posts_dailies_notify();
