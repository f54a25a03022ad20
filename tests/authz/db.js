// The database side of the authorization tests (tests/api/authz.test.js and
// tests/api/authz-model.test.js): one read-only SQL shell for a whole test file, and
// the fingerprint of everything a refused request must leave unchanged.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dbShellCommand, sqlConcat } from '../api/helpers.js';

// One SQL shell (sqlite3, or psql in the PostgreSQL pass) for the whole test: a
// process per query costs ~0.1 s here. Each query is followed by a marker line that
// ends its output.
const END = '<<end-of-query>>';
export class Shell {
  constructor(dir) {
    const [cmd, args] = dbShellCommand(dir);
    this.p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.out = '';
    this.err = '';
    this.waiting = [];
    this.p.stdout.setEncoding('utf8');
    this.p.stderr.setEncoding('utf8');
    this.p.stdout.on('data', (d) => { this.out += d; this.drain(); });
    this.p.stderr.on('data', (d) => { this.err += d; });
  }
  drain() {
    let i;
    while (this.waiting.length && (i = this.out.indexOf(`${END}\n`)) >= 0) {
      const text = this.out.slice(0, i);
      this.out = this.out.slice(i + END.length + 1);
      this.waiting.shift()(text);
    }
  }
  async query(sql) {
    const text = await new Promise((resolve) => {
      this.waiting.push(resolve);
      this.p.stdin.write(`${sql}\nSELECT '${END}';\n`);
    });
    assert.equal(this.err, '', `sql shell: ${this.err}`);
    return text;
  }
  close() { this.p.stdin.end(); }
}

// The record tables: ids, versions, owners and recycle-bin marks.
export const RECORD_TABLES = ['accounts', 'contacts', 'leads', 'opportunities', 'activities', 'users',
  'teams', 'pipeline_stages', 'roles', 'kb_categories', 'kb_articles', 'kb_feedback',
  'emails', 'email_templates', 'email_deliveries', 'mailboxes', 'product_categories', 'products',
  'price_lists', 'price_list_items', 'letterheads', 'quotes', 'orders', 'shipments', 'contracts',
  'discount_limits', 'currencies', 'exchange_rates', 'webhooks', 'webhook_deliveries', 'workflows',
  'workflow_runs'];
const RECORD_ACTIONS = "('create','update','delete','restore','merge','merged_into','transfer','stage')";

// A fingerprint of everything a refused request must not change: every record table's
// rows (plus `extra` tables of custom entities), the record audit rows, sessions, live
// API tokens, shares, custom fields and entities, settings and the metadata generation;
// and what the webhooks' actions write without a new version (a webhook's status and
// failures, set by its deliveries and POST /webhooks/{id}/resume; a delivery's status
// and attempts, set by POST /webhook_deliveries/{id}/redeliver).
export async function snapshot(shell, extra = []) {
  const concat = (expr, from) => `(SELECT ${sqlConcat(expr, ',')} FROM (${from}) AS r)`;
  const parts = [...RECORD_TABLES, ...extra].map((t) => concat("id || '.' || version || '.' ||" +
    " coalesce(owner_id, '') || '.' || coalesce(deleted_at, '')", `SELECT * FROM ${t} ORDER BY seq`));
  parts.push(concat("id || '.' || coalesce(status, '') || '.' || coalesce(CAST(failures AS TEXT), '')",
    'SELECT * FROM webhooks ORDER BY seq'));
  parts.push(concat("id || '.' || coalesce(status, '') || '.' || coalesce(CAST(attempts AS TEXT), '')",
    'SELECT * FROM webhook_deliveries ORDER BY seq'));
  parts.push(concat("id || '.' || access", 'SELECT * FROM record_shares ORDER BY seq'));
  parts.push(concat("entity || '.' || name || '.' || coalesce(deleted_at, '')",
    'SELECT * FROM custom_fields ORDER BY seq'));
  parts.push(concat('name', 'SELECT * FROM custom_entities ORDER BY seq'));
  parts.push(concat("key || '=' || value", 'SELECT * FROM settings ORDER BY key'));
  parts.push('(SELECT gen FROM meta_state)');
  parts.push(`(SELECT count(*) FROM audit_log WHERE action IN ${RECORD_ACTIONS})`);
  parts.push('(SELECT count(*) FROM sessions)');
  parts.push('(SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL)');
  const sql = `SELECT ${parts.map((p) => `coalesce(CAST(${p} AS TEXT), '')`).join(" || '|' || ")};`;
  const text = await shell.query(sql);
  assert.ok(text.split('|').length === parts.length && text.includes('.'), `snapshot: ${text.slice(0, 200)}`);
  return text;
}
