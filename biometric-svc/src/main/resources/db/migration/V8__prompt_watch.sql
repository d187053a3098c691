-- WatchPrompts asks, about every second per gateway stream, for an agency's prompts issued in the
-- last minute that are still open.
create index check_in_prompt_agency_issued on check_in_prompt (owning_agency_id, prompt_at) where state = 'PENDING';
