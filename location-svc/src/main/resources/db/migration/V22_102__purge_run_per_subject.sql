-- A retention run purges many subjects, each with its own PurgeSubject request naming the run: the
-- record of an applied request is per (run, subject). Keyed by run alone, every subject after the
-- first was refused as "already used for another subject" and never purged here.
alter table purge_run drop constraint purge_run_pkey;
alter table purge_run add primary key (purge_id, subject_id);
