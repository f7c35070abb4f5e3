-- What the LLM judge's call on a trial cost, apart from the extraction's (NULL when no judge
-- ran: judge_cached is set whenever a call was made).
ALTER TABLE experiment_records ADD COLUMN judge_input_tokens INTEGER;
ALTER TABLE experiment_records ADD COLUMN judge_output_tokens INTEGER;
ALTER TABLE experiment_records ADD COLUMN judge_thinking_tokens INTEGER;
ALTER TABLE experiment_records ADD COLUMN judge_cost_usd REAL;
ALTER TABLE experiment_records ADD COLUMN judge_cached INTEGER;
