// "New case", keyboard first, from wherever a customer is in front of the agent: the
// customer card (QuickCase, a record panel of accounts), any page with Alt+Shift+C or
// the top bar's button, and a global search result's "New case" (QuickCaseDialog, a
// global action of web/src/mod/index.js). Three required fields — the subject, the
// type and the priority — with the customer filled in from where it was opened, or from
// the caller's number (GET /phone/lookup: one match fills the account and contact,
// several are offered to pick from); the customer's open cases are listed, and while
// the subject is typed the knowledge base suggests articles (GET /kb/suggest), each
// opened in a new tab and linked to the case on save. The subject has the focus,
// Ctrl+Enter saves, Esc closes; the new case opens once saved.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { FieldInput, validate } from '../../fields.jsx';
import { entityLabel, enumLabel, fieldLabel, getLang, t } from '../../i18n.js';
import { Link, navigate, recordPath } from '../../router.js';
import { canRead, entityMeta, fieldMeta, recordTitle, rememberTitle } from '../../state.js';
import { errorText, flash, Notice } from '../../ui.jsx';
import { AgreementCheck } from './agreement.jsx';
import './service.css';

const FIELDS = ['subject', 'type', 'priority'];
// Statuses of a case still being worked.
const OPEN = 'new,assigned,in_progress,waiting_on_customer,waiting_on_third_party,reopened';
// Milliseconds of quiet typing before the knowledge base is asked.
const SUGGEST_DELAY = 300;

export function QuickCase({ record }) {
  const cases = entityMeta('cases');
  const [open, setOpen] = useState(false);
  if (!cases || cases.permissions.create === 'none') return null;
  if (!open) {
    return (
      <div class="convert-bar">
        <button type="button" class="primary" onClick={() => setOpen(true)}>{t('svc.new')}</button>
      </div>
    );
  }
  return <CaseForm cases={cases} account={record} onClose={() => setOpen(false)} />;
}

// The global form: the customer from the context it was opened with (a search result's
// account or contact), else from the caller's number or the pickers.
export function QuickCaseDialog({ context, onClose }) {
  return <CaseForm cases={entityMeta('cases')} accountId={context.account_id} contactId={context.contact_id} onClose={onClose} />;
}

// The caller's number: looked up on Enter or the button; accounts and contacts found.
function CallerNumber({ onPick }) {
  const [number, setNumber] = useState('');
  const [matches, setMatches] = useState(null);
  const [problem, setProblem] = useState(null);
  async function lookup() {
    if (!number.trim()) return;
    setProblem(null);
    try {
      const r = await api.get('/phone/lookup', { number: number.trim() });
      const found = r.data.filter((h) => h.entity === 'accounts' || h.entity === 'contacts');
      if (found.length === 1) { onPick(found[0]); setMatches(null); } else setMatches(found);
    } catch (err) {
      setMatches(null);
      setProblem(errorText(err));
    }
  }
  return (
    <div class="field">
      <label for="qc-phone">{t('svc.callerNumber')}</label>
      <div class="qc-phone">
        <input id="qc-phone" type="tel" value={number} autocomplete="off" onInput={(ev) => setNumber(ev.target.value)}
          onKeyDown={(ev) => { if (ev.key === 'Enter' && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); lookup(); } }} />
        <button type="button" onClick={lookup}>{t('svc.lookup')}</button>
      </div>
      {problem && <p class="error">{problem}</p>}
      {matches && matches.length === 0 && <p class="muted">{t('svc.noCaller')}</p>}
      {matches && matches.length > 1 && (
        <ul class="qc-matches" aria-label={t('svc.pickCaller')}>
          {matches.map((h) => (
            <li><button type="button" onClick={() => { onPick(h); setMatches(null); }}>
              {h.title}{' '}<span class="muted">· {entityLabel(entityMeta(h.entity), false)}{h.key?.value ? ` · ${h.key.value}` : ''}</span>
            </button></li>
          ))}
        </ul>
      )}
    </div>
  );
}

// The customer's open cases, the newest first.
function OpenCases({ account, contact }) {
  const [rows, setRows] = useState(null);
  const by = account ? { account_id: account.id } : contact ? { contact_id: contact.id } : null;
  const key = by ? Object.values(by)[0] : '';
  useEffect(() => {
    setRows(null);
    if (!by || !canRead(entityMeta('cases'))) return undefined;
    let current = true;
    api.get('/cases', { ...by, 'status[in]': OPEN, sort: '-created_at', limit: 10 })
      .then((r) => { if (current) setRows(r.data); }, () => { if (current) setRows([]); });
    return () => { current = false; };
  }, [key]);
  if (!rows) return null;
  const status = fieldMeta('cases', 'status');
  return (
    <section class="qc-open" aria-labelledby="qc-open-h">
      <h3 id="qc-open-h">{t('svc.openCases')}</h3>
      {rows.length === 0 ? <p class="muted">{t('svc.noOpenCases')}</p> : (
        <ul>
          {rows.map((k) => (
            <li><Link href={recordPath('cases', k.id)}>{k.number}</Link> {k.subject}{' '}
              <span class="tag">{enumLabel(status, k.status)}</span></li>
          ))}
        </ul>
      )}
    </section>
  );
}

// Articles the knowledge base suggests for the subject, and those linked so far.
function Suggestions({ subject, linked, onLink }) {
  const [rows, setRows] = useState([]);
  useEffect(() => {
    const q = subject.trim();
    if (q.length < 2 || !canRead(entityMeta('kb_articles'))) { setRows([]); return undefined; }
    let current = true;
    const timer = setTimeout(() => {
      api.get('/kb/suggest', { q, language: getLang() === 'zh-CN' ? 'zh-CN' : 'en' })
        .then((r) => { if (current) setRows(r.data); }, () => {});
    }, SUGGEST_DELAY);
    return () => { current = false; clearTimeout(timer); };
  }, [subject]);
  const shown = [...linked, ...rows.filter((r) => !linked.some((l) => l.id === r.id))];
  if (!shown.length) return null;
  return (
    <section class="qc-suggest" aria-labelledby="qc-suggest-h">
      <h3 id="qc-suggest-h">{t('svc.suggestions')}</h3>
      <ul>
        {shown.map((a) => {
          const on = linked.some((l) => l.id === a.id);
          return (
            <li>
              <a href={`/kb/a/${a.id}`} target="_blank" rel="noopener">{a.title}</a>{' '}
              <button type="button" class="link" aria-pressed={on} aria-label={t(on ? 'svc.unlinkA' : 'svc.linkA', { title: a.title })}
                onClick={() => onLink(a, !on)}>{t(on ? 'svc.linked' : 'svc.link')}</button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function CaseForm({ cases, account: given, accountId, contactId, onClose }) {
  const fields = FIELDS.map((n) => ({ ...cases.fields.find((f) => f.name === n), required: true }));
  const [v, setV] = useState(Object.fromEntries(fields.map((f) => [f.name, f.default ?? ''])));
  const [account, setAccount] = useState(given || null);
  const [contact, setContact] = useState(null);
  const [linked, setLinked] = useState([]);
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const form = useRef(null);
  const accountF = fieldMeta('cases', 'account_id');
  const contactF = fieldMeta('cases', 'contact_id');
  const name = account ? recordTitle(entityMeta('accounts'), account) : null;
  useEffect(() => { form.current?.querySelector('#qc-subject')?.focus(); }, []);

  const load = (entity, id) => api.get(`/${entity}/${id}`).then((r) => {
    rememberTitle(entity, r.id, recordTitle(entityMeta(entity), r));
    return r;
  });
  function pickAccount(id) {
    if (!id) { setAccount(null); return; }
    load('accounts', id).then((a) => {
      setAccount(a);
      setContact((c) => (c && c.account_id !== a.id ? null : c));
    }, (err) => setProblem(errorText(err)));
  }
  function pickContact(id) {
    if (!id) { setContact(null); return; }
    load('contacts', id).then((c) => {
      setContact(c);
      if (c.account_id) pickAccount(c.account_id);
    }, (err) => setProblem(errorText(err)));
  }
  useEffect(() => {
    if (contactId) pickContact(contactId);
    else if (accountId) pickAccount(accountId);
  }, []);

  async function save() {
    const errs = {};
    for (const f of fields) { const m = validate(f, v[f.name]); if (m) errs[f.name] = m; }
    setErrors(errs);
    if (Object.keys(errs).length || busy) return;
    setBusy(true); setProblem(null);
    const body = { ...v };
    if (account) body.account_id = account.id;
    if (contact) body.contact_id = contact.id;
    if (linked.length) body.kb_articles = linked.map((a) => a.id);
    try {
      const r = await api.post('/cases', body);
      flash(t('svc.made', { number: r.number }));
      navigate(recordPath('cases', r.id));
    } catch (err) {
      setProblem(errorText(err));
      setBusy(false);
    }
  }
  const keys = (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); save(); }
    if (ev.key === 'Escape') { ev.preventDefault(); onClose(); }
  };
  const title = name ? t('svc.newTitle', { name }) : t('svc.new');
  return (
    <form ref={form} class="card quick-case" aria-label={title} onKeyDown={keys}
      onSubmit={(ev) => { ev.preventDefault(); save(); }}>
      <h2>{title}</h2>
      {problem && <Notice kind="error">{problem}</Notice>}
      {account && <AgreementCheck account={account} />}
      {fields.map((f) => (
        <div class="field">
          <label for={`qc-${f.name}`}>{fieldLabel(f)}</label>
          <FieldInput id={`qc-${f.name}`} field={f} value={v[f.name]} invalid={!!errors[f.name]}
            onChange={(x) => setV({ ...v, [f.name]: x })} />
          {errors[f.name] && <p class="error">{errors[f.name]}</p>}
        </div>
      ))}
      <fieldset class="qc-customer">
        <legend>{t('svc.customer')}</legend>
        <CallerNumber onPick={(h) => (h.entity === 'contacts' ? pickContact(h.id) : pickAccount(h.id))} />
        {[[accountF, account, pickAccount], [contactF, contact, pickContact]].map(([f, rec, pick]) => f && (
          <div class="field">
            <label for={`qc-${f.name}`}>{fieldLabel(f)}</label>
            <FieldInput id={`qc-${f.name}`} field={f} value={rec?.id || ''} onChange={pick} />
          </div>
        ))}
      </fieldset>
      <OpenCases account={account} contact={contact} />
      <Suggestions subject={v.subject || ''} linked={linked}
        onLink={(a, on) => setLinked(on ? [...linked, { id: a.id, title: a.title }] : linked.filter((l) => l.id !== a.id))} />
      <p class="muted"><kbd>Ctrl+Enter</kbd> {t('svc.saves')} · <kbd>Esc</kbd> {t('svc.closes')}</p>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('svc.save')}</button>
        <button type="button" onClick={onClose}>{t('svc.cancel')}</button>
      </div>
    </form>
  );
}
