/* Every limit in Rapport, with the reason for its value (SQLite's sqliteLimit.h).
 * A size derived from input is checked against one of these before allocating. */
#ifndef RP_LIMITS_H
#define RP_LIMITS_H

/* JSON request bodies: a record is a few KiB; 1 MiB leaves room for long notes. */
#define RP_MAX_JSON_BODY (1024u * 1024u)
/* An announced body over the limit but under this size is read and discarded before
 * the 413, so the client (still sending) gets the answer and keeps its connection;
 * a larger one is refused at once and the connection closed. */
#define RP_MAX_DRAINED_BODY (8u * 1024u * 1024u)
/* libmicrohttpd's per-connection memory for the request line, headers and parsed
 * query parameters (about 50 bytes of bookkeeping each). Browsers cap URLs near 8 KiB;
 * 256 KiB parses a few thousand parameters, so our own limits (64 parameters) answer
 * with a clear 400 before libmicrohttpd runs out. Pages are only touched as used. */
#define RP_MAX_REQUEST_HEAD (256u * 1024u)
/* Total size of the request headers we accept (cookies included); more is 431. */
#define RP_MAX_HEADER_BYTES (16u * 1024u)
/* Header lines of one request: a browser sends about 20; each takes 4 bytes of the
 * byte limit at least, so this only bounds the framing check's memory. More is 431. */
#define RP_MAX_HEADER_FIELDS 256u
/* Query parameters per request: more is abuse, not a filter a person builds. */
#define RP_MAX_QUERY_PARAMS 64u
/* Values in one `in` filter: keeps the bound-parameter count far below SQLite's 32766. */
#define RP_MAX_IN_VALUES 100u
/* A `like` filter's pattern, in characters. Matching it is one step for the database,
 * which cannot stop inside it: it costs up to pattern × text length comparisons (200 ×
 * 64 Ki, tens of ms), where a 100,000-character pattern took seconds a row. */
#define RP_MAX_LIKE_PATTERN 200u
/* Sort keys: more than four keys cannot use an index and never helps a person. */
#define RP_MAX_SORT_KEYS 4u
/* Further indexes of an entity (entity_def.indexes), and columns of each. */
#define RP_MAX_ENTITY_INDEXES 4u
#define RP_MAX_INDEX_COLUMNS 4u
/* Indexes for sorting by the columns of an entity's list (FF_LIST), one a column: past
 * these, a list column sorts without an index of its own. */
#define RP_MAX_LIST_INDEXES 12u
/* Steps of SQLite's virtual machine a filtered list may spend walking its sort index
 * before it asks for the database's own plan (engine/list.c, list_page). */
#define RP_LIST_TRIAL_STEPS 200000u
/* Default and maximum page size of a list (DESIGN §5). */
#define RP_DEFAULT_PAGE 50u
#define RP_MAX_PAGE 500u
/* Records one call to empty a recycle bin purges, in one transaction: each is a few
 * statements per entity that may refer to it, so 10,000 stay within seconds. */
#define RP_MAX_PURGE 10000u
/* Keys of dynamic enums (pipeline stage keys): short snake_case identifiers. */
#define RP_MAX_ENUM_KEY 40u
/* Fields of one entity, built-in and custom together: the widest CRM tables people
 * build have about a hundred. Bounds a record's columns and an audit row's values. */
#define RP_MAX_ENTITY_FIELDS 200u
/* Default maximum length of a string field when metadata does not set one. */
#define RP_DEFAULT_STRLEN 255u
/* Long text fields (descriptions, notes). */
#define RP_MAX_TEXT (64u * 1024u)
/* Full-text query length: longer queries are pasted documents, not searches. */
#define RP_MAX_SEARCH_QUERY 200u
/* Terms in one full-text query. */
#define RP_MAX_SEARCH_TERMS 8u
/* Opaque cursors, decoded: up to 4 sort keys of at most 255 code points (1020 bytes)
 * each, plus the row key — about 4 KiB, so 8 KiB leaves room. */
#define RP_MAX_CURSOR (8u * 1024u)
/* Per-request arena blocks: requests allocate a few KiB; big responses grow it. */
#define RP_ARENA_BLOCK (16u * 1024u)
/* Size of one generated SQL statement: 64 filters of 100 values fit; beyond is 400. */
#define RP_MAX_SQL (64u * 1024u)
/* A JSON response body: 500 records of a few KiB each, with headroom. */
#define RP_MAX_RESPONSE (64u * 1024u * 1024u)
/* Bytes of field text one list page or calendar carries. A record may hold 64 Ki
 * code points of text per long field (256 KiB of UTF-8), so 500 of them would pass
 * RP_MAX_RESPONSE: a list page ends early with a next_cursor once its rows hold this
 * much, and a calendar asks for a shorter period. JSON at most doubles text (escaped
 * quotes, backslashes, newlines), so the answer stays within RP_MAX_RESPONSE. */
#define RP_MAX_PAGE_TEXT (16u * 1024u * 1024u)
/* Passwords, in characters (ASVS L2 2.1.1/2.1.2): 12 at least, and up to 128 so
 * passphrases fit while a megabyte "password" is refused before argon2id runs. */
#define RP_MIN_PASSWORD 12u
#define RP_MAX_PASSWORD 128u
/* A password in bytes: 128 characters of up to 4 UTF-8 bytes each. */
#define RP_MAX_PASSWORD_BYTES (4u * RP_MAX_PASSWORD)
/* Absolute session lifetime (ASVS 3.3.2): a long working day; sign in again after. */
#define RP_SESSION_TTL_S (12 * 3600)
/* Default idle timeout of a session (ASVS 3.3.2); --session-idle changes it. */
#define RP_SESSION_IDLE_S (30 * 60)
/* Bounds of the configurable idle timeout: 1 second (tests) to the absolute lifetime. */
#define RP_SESSION_IDLE_MIN_S 1
/* Idempotency keys: client-chosen, printable ASCII (UUIDs are 36); kept for a day. */
#define RP_MAX_IDEMPOTENCY_KEY 255u
#define RP_IDEMPOTENCY_TTL_S (24 * 3600)
/* JSON request bodies: nesting depth and total values (ASVS 13.1; issue 7 item 7). */
#define RP_MAX_JSON_DEPTH 64u
#define RP_MAX_JSON_ELEMENTS 10000u
/* Connections one client address may hold open: 1,000 idle sockets from one address
 * must not starve everyone else (slowloris). A browser opens 6, a busy integration a
 * few dozen; 128 leaves room for both, and for a proxy in front. */
#define RP_MAX_CONN_PER_IP 128u
/* Notification event streams (GET /notifications/stream) open at once: per user (a
 * browser tab each; more tabs share nothing and reconnect when one closes) and per
 * server (a quarter of RP_MAX_CONNECTIONS, so streams never crowd out requests). */
#define RP_MAX_EVENT_STREAMS_PER_USER 8u
#define RP_MAX_EVENT_STREAMS 256u
/* Security events per page of GET /security-events. */
#define RP_MAX_SECURITY_EVENTS_PAGE 500u
/* Login throttling window and the failures allowed in it per user and per address. */
#define RP_LOGIN_WINDOW_S (15 * 60)
#define RP_LOGIN_MAX_FAILS_USER 10
#define RP_LOGIN_MAX_FAILS_ADDR 50
/* Time limit of one statement a request runs outside a write transaction (a list, a
 * count, a search), in ms; `serve --statement-timeout` changes it, 0 lifts it. The
 * slowest legitimate reads at a million records (a team's busy calendar, a `like`
 * filter sorted by an unindexed field) take well under a second; a filter a user can
 * make pathological must not hold a worker thread for minutes. Writes are never cut:
 * a transaction either commits or rolls back whole. */
#define RP_STATEMENT_TIMEOUT_MS 10000u
/* The largest limit --statement-timeout takes: an hour, past which a limit means none
 * (and ms still fit the 32 bits the backends take). */
#define RP_STATEMENT_TIMEOUT_MAX_MS 3600000u
/* The most a read from a PostgreSQL read replica may be behind the primary, in ms
 * (`serve --db-read-max-lag`): a list may miss another server's write of the last
 * second, never one older. A replica further behind is not used. */
#define RP_REPLICA_MAX_LAG_MS 1000u
/* What --db-read-max-lag takes: from 10 ms to an hour. */
#define RP_REPLICA_MAX_LAG_MIN_MS 10u
#define RP_REPLICA_MAX_LAG_MAX_MS 3600000u
/* SQLite checks a running statement's time limit every this many virtual-machine
 * steps (a microsecond or so of work; the check reads a coarse clock, 6 ns here). A
 * step can be long (a `like` over a long text), so checks must not be far apart. */
#define RP_SQLITE_PROGRESS_STEPS 100
/* Statements kept prepared per connection. */
#define RP_STMT_CACHE 128u
/* SQLite page cache of a process, in KiB, shared among the connections it will use
 * at once (store_set_connections); pages beyond it come from the kernel's file cache. */
#define RP_SQLITE_CACHE_KIB 49152
/* `rapport bench-data` commits RP_BENCH_BATCH records at a time and gives SQLite's
 * writer a page cache of its own: contacts in 35-40% less time than with batches of
 * 5,000 and the shared budget, where every batch rewrote the same index pages into the
 * WAL. Larger batches gained nothing more. Each batch leaves a full-text segment, so
 * the generator merges them at the end. A 1 GiB cache was no faster than 256 MiB for
 * the whole full-size company (360 s against 347 s; peak RSS 1.65 GiB against 0.67). */
#define RP_BENCH_BATCH 50000u
#define RP_BENCH_WRITE_CACHE_KIB (256 * 1024)
/* SQLite full-text index segments merged at a time, and the count of one level that
 * forces a merge of them all (store/sqlite_schema.c). */
#define RP_FTS_AUTOMERGE 16u
#define RP_FTS_CRISISMERGE 64u
/* Pages of merged full-text index one step of a full merge writes (store_fts_optimize),
 * each step a transaction of its own: 70-200 ms a step, about as long as the server
 * holds the write lock for an import batch, at a million contacts. */
#define RP_FTS_MERGE_PAGES 2000
/* SQLite WAL length, in pages, that wakes the checkpointer thread, and the length at
 * which a committing connection checkpoints by itself because the thread is behind. */
#define RP_WAL_CHECKPOINT 1000
#define RP_WAL_CHECKPOINT_INLINE 48000
/* Connection idle timeout in seconds (libmicrohttpd closes slow or idle clients). */
#define RP_CONN_TIMEOUT_S 30u
/* Concurrent connections before new ones are refused. */
#define RP_MAX_CONNECTIONS 1024u
/* A web UI file served from --web-dir: the bundle is ~100 KiB; anything huge is a mistake. */
#define RP_MAX_STATIC_FILE (16u * 1024u * 1024u)
/* Distinct metrics routes counted (route patterns, not URLs). */
#define RP_MAX_METRIC_ROUTES 64u

/* Import: one CSV field. The longest field a record takes is a 64 Ki code point text
 * (256 KiB of UTF-8); 1 MiB leaves room for quoting while a runaway quote or a binary
 * file is refused before it grows the parser's buffer. */
#define RP_MAX_IMPORT_FIELD (1024u * 1024u)
/* Import: columns in one CSV file (every field of the widest entity, and spares). */
#define RP_MAX_IMPORT_COLUMNS 256u
/* Import: row errors kept in a report; more are counted, not listed. */
#define RP_MAX_IMPORT_ERRORS 1000u
/* Import: rows per transaction. Large batches amortise the commit (an fsync, the
 * full-text index's flush and merges); a failed batch is rolled back whole. The server
 * holds the write lock for a batch (about 0.3 s), so `rapport import`, usually alone on the
 * database with the whole page cache, takes twice as many. */
#define RP_IMPORT_BATCH 5000u
#define RP_IMPORT_BATCH_CLI 10000u
/* Account tiers rewritten per transaction by a retier. */
#define RP_RETIER_BATCH 1000u
/* An import of this many rows or more refreshes the planner statistics and merges the
 * entity's full-text index afterwards (ANALYZE takes about 2 s on a 1 GB SQLite
 * database, the merge about 2 s per million contacts). */
#define RP_IMPORT_ANALYZE_ROWS 10000
/* Import body over the API (POST /imports): a 64 MiB CSV is several hundred thousand
 * contacts; larger files go through `rapport import`. Only that route takes it. */
#define RP_MAX_IMPORT_BODY (64u * 1024u * 1024u)
/* Import of an .xlsx workbook, counted in bytes actually inflated (a zip's stated sizes
 * can lie), so a zip bomb stops at these: the worksheet's XML (1 GiB is some two
 * million rows of a dozen columns), the shared strings' XML (held in memory while the
 * sheet is read), each small part (workbook, relationships, styles), and everything
 * read in one pass. */
#define RP_MAX_XLSX_SHEET (1024u * 1024u * 1024u)
#define RP_MAX_XLSX_STRINGS_XML (128u * 1024u * 1024u)
#define RP_MAX_XLSX_PART (8u * 1024u * 1024u)
#define RP_MAX_XLSX_TOTAL (1280u * 1024u * 1024u)
/* Shared strings kept (each a pointer and a length besides its text): four million is
 * more than Excel writes for a sheet of a million rows. */
#define RP_MAX_XLSX_STRINGS (4u * 1024u * 1024u)
/* Cell styles (number formats) read from styles.xml; later ones count as General. */
#define RP_MAX_XLSX_STYLES 65536u
/* Import of vCards: one property line after unfolding. A photo is skipped, but its
 * base64 must be read through; 3 MiB holds a 1 MiB value quoted-printable encoded. */
#define RP_MAX_VCARD_LINE (3u * 1024u * 1024u)

/* Export: rows read per page while streaming; memory stays one page deep. */
#define RP_EXPORT_PAGE 500u

/* Days a removed custom field's column (and its values) is kept before it is dropped:
 * its values stay in each record's history after that. */
#define RP_CUSTOM_FIELD_KEEP_DAYS 30
/* Custom fields an administrator may add to one entity, and enum values of one. */
#define RP_MAX_CUSTOM_FIELDS 100u
#define RP_MAX_ENUM_VALUES 200u

#endif
