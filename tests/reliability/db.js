// Reads the database of a test server behind its back: SQLite with the sqlite3 shell
// (opening it replays the WAL, as a restart does; the record tables are plain tables,
// only full-text queries need Rapport's tokenizer), PostgreSQL with psql. Rows come
// back as objects either way.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export function sql(db, query) {
  const out = execFileSync('sqlite3', ['-bail', '-json', db, query], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return out.trim() ? JSON.parse(out) : [];
}

// url: the server's postgresql:// URL; one SELECT (or a statement without rows when
// raw is true).
export function pgSql(url, query, { raw = false } = {}) {
  const text = raw ? query : `SELECT coalesce(json_agg(t), '[]') FROM (${query}) t`;
  const out = execFileSync(path.join(process.env.PGBIN || '', 'psql'),
    ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', text],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  return raw ? out : JSON.parse(out);
}
