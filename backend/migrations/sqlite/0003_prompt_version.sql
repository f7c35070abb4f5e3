-- The extraction prompt version each experiment ran with ("n/a" for the built-in rules).
ALTER TABLE experiments ADD COLUMN prompt_version TEXT NOT NULL DEFAULT 'n/a';
