-- 0006 is reserved for the review feature (issue 18, 0006_review.sql), which is being built in
-- parallel: this empty step only keeps the numbers contiguous (migrate.load_migrations requires it)
-- until that file lands, and is deleted then. Never ship a database migrated with it.
SELECT 1;
