// Incoming e-mail in the UI: the mailboxes screen (the generic list; a mailbox is made
// and edited on the generic record page), the panel on a mailbox's page — its password
// (write-only), "read now" and how the last reading went — and, on an e-mail's page,
// the conversation it belongs to.
import { useState } from 'preact/hooks';
import { api, request } from '../../api.js';
import { enumLabel, formatDateTime, t } from '../../i18n.js';
import { ListView } from '../../list.jsx';
import { Link, recordPath } from '../../router.js';
import { entityMeta, fieldMeta } from '../../state.js';
import { errorText, flash, Loading, Notice, useFetch, usePageTitle } from '../../ui.jsx';

// How often the panel looks whether a reading it asked for is over, and for how long.
const POLL_MS = 1000;
const POLL_TRIES = 60;

export function MailboxesPage() {
  usePageTitle(t('mail.mailboxes'));
  return (
    <section class="mail-mailboxes">
      <p class="muted">{t('mail.mailboxesHelp')}</p>
      <ListView e={entityMeta('mailboxes')} />
    </section>
  );
}

// On a mailbox's page: its password, reading it now, and the last reading.
export function MailboxPanel({ record, onSaved }) {
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const errorField = fieldMeta('mailboxes', 'last_error');
  async function savePassword(ev) {
    ev.preventDefault();
    setBusy(true); setProblem(null);
    try {
      const r = (await request('PUT', `/mailboxes/${record.id}/password`, { body: { password } })).body;
      setPassword('');
      flash(t('mail.passwordSaved'));
      onSaved?.(r);
    } catch (err) {
      setProblem(Object.values(err.fields || {}).join(' · ') || errorText(err));
    }
    setBusy(false);
  }
  async function readNow() {
    setBusy(true); setProblem(null);
    const before = record.last_fetch_at;
    try {
      await api.post(`/mailboxes/${record.id}/fetch`, {});
      flash(t('mail.reading'));
      for (let i = 0; i < POLL_TRIES; i++) {
        await new Promise((res) => setTimeout(res, POLL_MS));
        const r = await api.get(`/mailboxes/${record.id}`);
        if (r.last_fetch_at !== before && !r.claimed_by) { onSaved?.(r); break; }
      }
    } catch (err) {
      setProblem(errorText(err));
    }
    setBusy(false);
  }
  return (
    <section class="card summary mailbox-panel" aria-labelledby="mbx-h">
      <h2 id="mbx-h">{t('mail.reading.title')}</h2>
      <p class="mailbox-state" data-state={record.last_error ? 'error' : record.last_fetch_at ? 'ok' : 'never'}>
        {record.last_fetch_at
          ? t('mail.lastRead', { at: formatDateTime(record.last_fetch_at), n: record.messages_logged ?? 0 })
          : t('mail.neverRead')}
      </p>
      {record.last_error && (
        <Notice kind="error">
          {enumLabel(errorField, record.last_error)}{record.last_error_detail ? ` — ${record.last_error_detail}` : ''}
        </Notice>
      )}
      <p class="muted">{record.password_set ? t('mail.mailboxPasswordSet') : t('mail.mailboxPasswordUnset')}</p>
      <form class="mailbox-password" onSubmit={savePassword}>
        <label for="mbx-pw">{record.password_set ? t('mail.newPassword') : t('mail.password')}</label>
        <input id="mbx-pw" type="password" autocomplete="new-password" value={password}
          onInput={(ev) => setPassword(ev.target.value)} />
        <button type="submit" disabled={busy || !password}>{t('mail.savePassword')}</button>
      </form>
      {problem && <Notice kind="error">{problem}</Notice>}
      <button type="button" class="primary" disabled={busy || !record.password_set} onClick={readNow}>{t('mail.readNow')}</button>
    </section>
  );
}

// On an e-mail's page: the other messages of its conversation, oldest first.
export function ThreadPanel({ record }) {
  const [rows, setRows] = useState(null);
  useFetch(() => api.get('/emails', { thread_id: record.thread_id, sort: 'created_at', limit: 50 }),
    [record.id], (r) => setRows(r.data), () => setRows([]));
  const dir = fieldMeta('emails', 'direction');
  if (!rows) return <Loading />;
  if (rows.length < 2) return null;
  return (
    <section class="card summary mail-thread" aria-labelledby="thread-h">
      <h2 id="thread-h">{t('mail.thread', { n: rows.length })}</h2>
      <ol class="plain mail-thread-list">
        {rows.map((m) => (
          <li class={m.id === record.id ? 'current' : ''} aria-current={m.id === record.id ? 'true' : undefined}>
            <span class={`tag mail-${m.direction}`}>{enumLabel(dir, m.direction)}</span>{' '}
            {m.id === record.id ? <strong>{m.subject || t('mail.noSubject')}</strong>
              : <Link href={recordPath('emails', m.id)}>{m.subject || t('mail.noSubject')}</Link>}
            <br /><span class="muted">{m.from_name || m.from_address} · {formatDateTime(m.sent_at || m.created_at)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
