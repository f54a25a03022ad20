// Outgoing e-mail on record pages: the e-mails of a person, account or deal — or of a
// record of another module that names a contact (a service case), linked through the
// e-mail's related_type/related_id — beside its timeline, each with its status, and the
// compose form (template, merge preview rendered by the server, send: POST /emails
// queues it). The mail screens are in
// screens.jsx, loaded on their first visit.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { enumLabel, formatDateTime, t } from '../../i18n.js';
import { Link, recordPath } from '../../router.js';
import { entityMeta, fieldMeta } from '../../state.js';
import { errorText, flash, Loading, Notice, useFetch } from '../../ui.jsx';
import './mail.css';

// The field of an e-mail that links it to a record of each entity it can be written from.
export const LINKS = { contacts: 'contact_id', leads: 'lead_id', accounts: 'account_id', opportunities: 'deal_id' };
// Milliseconds of quiet typing before the preview is asked for.
const PREVIEW_DELAY = 300;

const writes = () => (entityMeta('emails')?.permissions.create ?? 'none') !== 'none';
const reads = () => (entityMeta('emails')?.permissions.read ?? 'none') !== 'none';
// A record of another entity an e-mail can relate to, with a contact to write to.
const related = (e) => !(e.name in LINKS) && (fieldMeta('emails', 'related_type')?.enum || []).includes(e.name)
  && e.fields.some((f) => f.name === 'contact_id' && f.ref === 'contacts');
export const mailPanelFor = (e) => (e.name in LINKS || related(e)) && (reads() || writes());
// What ties an e-mail to the record (a list's filter and a new message's links).
const linkOf = (e, record) => (e.name in LINKS ? { [LINKS[e.name]]: record.id } : { related_type: e.name, related_id: record.id });

// The record's e-mails, newest first, with the compose form.
export function EmailsPanel({ e, record }) {
  const [rows, setRows] = useState(null);
  const [open, setOpen] = useState(false);
  const [tick, setTick] = useState(0);
  useFetch(() => (reads() ? api.get('/emails', { ...linkOf(e, record), sort: '-created_at', limit: 10 }) : Promise.resolve({ data: [] })),
    [record.id, tick], (r) => setRows(r.data), () => setRows([]));
  const status = fieldMeta('emails', 'status');
  return (
    <section class="card summary mail-panel" aria-labelledby="mail-h">
      <h2 id="mail-h">{t('mail.emails')}</h2>
      {writes() && !open && <button type="button" class="primary" onClick={() => setOpen(true)}>{t('mail.write')}</button>}
      {open && <Compose e={e} record={record} onClose={() => setOpen(false)} onSent={() => { setOpen(false); setTick(tick + 1); }} />}
      {!rows ? <Loading /> : rows.length === 0 ? <p class="muted">{t('mail.none')}</p> : (
        <ul class="plain mail-list">
          {rows.map((m) => (
            <li>
              <Link href={recordPath('emails', m.id)}>{m.subject}</Link>{' '}
              <span class={`tag mail-${m.status}`}>{enumLabel(status, m.status)}</span>
              <br /><span class="muted">{m.status === 'received' ? `${t('mail.previewFrom')} ${m.from_name || m.from_address}` : m.to_addresses} · {formatDateTime(m.sent_at || m.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Compose({ e, record, onClose, onSent }) {
  const [v, setV] = useState({ to_addresses: '', cc_addresses: '', template_id: '', subject: '', body_text: '', body_html: '' });
  const [contact, setContact] = useState('');
  const [contacts, setContacts] = useState([]);
  const [templates, setTemplates] = useState([]);
  const [preview, setPreview] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.get('/email_templates', { limit: 200, sort: 'name' }).then((r) => setTemplates(r.data), () => setTemplates([]));
    if (e.name === 'accounts') {
      api.get('/contacts', { account_id: record.id, limit: 200 }).then((r) => {
        setContacts(r.data.filter((c) => c.email));
        const first = r.data.find((c) => c.email);
        if (first) setContact(first.id);
      }, () => setContacts([]));
    }
  }, [record.id]);
  const body = () => {
    const b = linkOf(e, record);
    if (!(e.name in LINKS) && record.contact_id) b.contact_id = record.contact_id;
    for (const [k, x] of Object.entries(v)) if (x.trim()) b[k] = x;
    if (e.name === 'accounts' && contact) b.contact_id = contact;
    return b;
  };
  const key = JSON.stringify(body());
  const problemText = (err) => Object.values(err.fields || {}).join(' · ') || errorText(err);
  // Nothing to show until there is a template or some text.
  const empty = !v.template_id && !v.subject.trim() && !v.body_text.trim() && !v.body_html.trim();
  useEffect(() => {
    if (empty) { setPreview(null); setProblem(null); return undefined; }
    let current = true;
    const timer = setTimeout(() => {
      // The preview merges the message; what it relates to is not part of it.
      const draft = Object.fromEntries(Object.entries(body()).filter(([k]) => !k.startsWith('related_')));
      api.post('/mail/preview', draft).then((r) => { if (current) { setPreview(r); setProblem(null); } },
        (err) => { if (current) { setPreview(null); setProblem(problemText(err)); } });
    }, PREVIEW_DELAY);
    return () => { current = false; clearTimeout(timer); };
  }, [key]);
  async function send() {
    if (busy) return;
    setBusy(true);
    try {
      await api.post('/emails', body());
      flash(t('mail.queued'));
      onSent();
    } catch (err) {
      setProblem(problemText(err));
      setBusy(false);
    }
  }
  const set = (k) => (ev) => setV({ ...v, [k]: ev.target.value });
  const keys = (ev) => { if (ev.key === 'Escape') { ev.preventDefault(); onClose(); } };
  return (
    <form class="mail-compose" aria-label={t('mail.compose')} onKeyDown={keys} onSubmit={(ev) => { ev.preventDefault(); send(); }}>
      <h3>{t('mail.compose')}</h3>
      {e.name === 'accounts' && (
        <div class="field">
          <label for="mc-contact">{t('mail.contact')}</label>
          <select id="mc-contact" value={contact} onChange={(ev) => setContact(ev.target.value)}>
            <option value="">{t('mail.pickContact')}</option>
            {contacts.map((c) => <option value={c.id}>{[c.first_name, c.last_name].filter(Boolean).join(' ')} &lt;{c.email}&gt;</option>)}
          </select>
        </div>
      )}
      <div class="field">
        <label for="mc-template">{t('mail.template')}</label>
        <select id="mc-template" value={v.template_id} onChange={set('template_id')}>
          <option value="">{t('mail.noTemplate')}</option>
          {templates.map((x) => <option value={x.id}>{x.name} ({enumLabel(fieldMeta('email_templates', 'language'), x.language)})</option>)}
        </select>
      </div>
      <div class="field">
        <label for="mc-to">{t('mail.to')}</label>
        <input id="mc-to" value={v.to_addresses} placeholder={preview?.to_addresses || ''} aria-describedby="mc-to-hint" onInput={set('to_addresses')} />
        <p class="help" id="mc-to-hint">{t('mail.toHint')}</p>
      </div>
      <div class="field">
        <label for="mc-cc">{t('mail.cc')}</label>
        <input id="mc-cc" value={v.cc_addresses} onInput={set('cc_addresses')} />
      </div>
      <div class="field">
        <label for="mc-subject">{t('mail.subject')}</label>
        <input id="mc-subject" value={v.subject} placeholder={preview?.subject || ''} onInput={set('subject')} />
      </div>
      <div class="field">
        <label for="mc-text">{t('mail.text')}</label>
        <textarea id="mc-text" rows={6} value={v.body_text} onInput={set('body_text')} />
      </div>
      <div class="field">
        <label for="mc-html">{t('mail.html')}</label>
        <textarea id="mc-html" rows={3} value={v.body_html} onInput={set('body_html')} />
      </div>
      {problem && <Notice kind="error">{problem}</Notice>}
      <section class="mail-preview" aria-labelledby="mc-preview-h" aria-live="polite">
        <h4 id="mc-preview-h">{t('mail.preview')}</h4>
        {preview ? (
          <>
            <p><span class="label">{t('mail.previewFrom')}</span> {preview.from_name ? `${preview.from_name} ` : ''}{preview.from_address ? `<${preview.from_address}>` : ''}</p>
            <p><span class="label">{t('mail.to')}</span> {preview.to_addresses}</p>
            <p class="mail-preview-subject">{preview.subject}</p>
            {preview.body_text && <pre class="mail-preview-text">{preview.body_text}</pre>}
            {preview.body_html && !preview.body_text && <pre class="mail-preview-text">{preview.body_html}</pre>}
          </>
        ) : <p class="muted">{t('mail.noPreview')}</p>}
      </section>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('mail.send')}</button>
        <button type="button" onClick={onClose}>{t('mail.cancel')}</button>
      </div>
    </form>
  );
}
