-- `newsdesk lake maintain`, statement by statement; each returns the rows it acted on.
-- {retention}: the lake's snapshot_retention ('30 days'); {grace}: how long a file
-- no longer used is kept for readers still scanning it ('1 hour').

-- flushed: rows kept inline in the catalog (small commits) written out as Parquet.
CALL ducklake_flush_inlined_data('lake');

-- merged: adjacent small files of a table rewritten as fewer, larger ones.
CALL ducklake_merge_adjacent_files('lake');

-- expired: snapshots older than the retention, no longer reachable with --as-of.
CALL ducklake_expire_snapshots('lake', older_than => now() - INTERVAL '{retention}');

-- deleted: files only expired snapshots (or merged-away files) used.
CALL ducklake_cleanup_old_files('lake', older_than => now() - INTERVAL '{grace}');

-- orphaned: files under the data path the catalog never committed (a writer killed
-- before its commit), once older than the grace (a running writer's are younger).
CALL ducklake_delete_orphaned_files('lake', older_than => now() - INTERVAL '{grace}');
