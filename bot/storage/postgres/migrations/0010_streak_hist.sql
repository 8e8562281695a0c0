-- 0010: the streak histogram kept by one trigger call per statement, not per row (PostgreSQL
-- only; bot/storage/migrations/0010_streak_hist.sql says why SQLite keeps its own). The writer
-- updates the streaks of a whole batch in one statement, and the row triggers of 0001 ran up to
-- four upserts per row (~50 us a row, an eighth of a batch's time). Now the statement's old and
-- new rows (transition tables) are counted at once: +1 for each new row's value, -1 for each old
-- one, summed per (guild, which, value); values that did not change cancel out.
DROP TRIGGER streaks_hist ON streaks;
DROP FUNCTION streaks_hist();
DROP FUNCTION streak_hist_add(BIGINT, TEXT, BIGINT, BIGINT);

CREATE FUNCTION streaks_hist() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO streak_hist (guild_id, which, value, n)
        SELECT guild_id, which, value, sum(d) FROM (
            SELECT guild_id, 'current' AS which, current AS value, 1 AS d FROM new_rows
            UNION ALL SELECT guild_id, 'best', best, 1 FROM new_rows
        ) AS c GROUP BY guild_id, which, value
        ON CONFLICT (guild_id, which, value) DO UPDATE SET n = streak_hist.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO streak_hist (guild_id, which, value, n)
        SELECT guild_id, which, value, sum(d) FROM (
            SELECT guild_id, 'current' AS which, current AS value, 1 AS d FROM new_rows
            UNION ALL SELECT guild_id, 'best', best, 1 FROM new_rows
            UNION ALL SELECT guild_id, 'current', current, -1 FROM old_rows
            UNION ALL SELECT guild_id, 'best', best, -1 FROM old_rows
        ) AS c GROUP BY guild_id, which, value HAVING sum(d) <> 0
        ON CONFLICT (guild_id, which, value) DO UPDATE SET n = streak_hist.n + excluded.n;
    ELSE
        INSERT INTO streak_hist (guild_id, which, value, n)
        SELECT guild_id, which, value, sum(d) FROM (
            SELECT guild_id, 'current' AS which, current AS value, -1 AS d FROM old_rows
            UNION ALL SELECT guild_id, 'best', best, -1 FROM old_rows
        ) AS c GROUP BY guild_id, which, value
        ON CONFLICT (guild_id, which, value) DO UPDATE SET n = streak_hist.n + excluded.n;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER streaks_hist_insert AFTER INSERT ON streaks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION streaks_hist();
CREATE TRIGGER streaks_hist_update AFTER UPDATE ON streaks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION streaks_hist();
CREATE TRIGGER streaks_hist_delete AFTER DELETE ON streaks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION streaks_hist();
