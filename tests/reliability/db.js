// Reads a SQLite database with the sqlite3 shell (opening it replays the WAL, as a
// restart does). The record tables are plain tables; only full-text queries need
// Rapport's tokenizer.
import { execFileSync } from 'node:child_process';

export function sql(db, query) {
  const out = execFileSync('sqlite3', ['-bail', '-json', db, query], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return out.trim() ? JSON.parse(out) : [];
}
