// Administration › Automation (the automation module, loaded on the tab's first visit:
// web/src/mod/index.js ADMIN_TABS), at /admin/automation (a webhook opened as a record
// comes here: record.jsx):
//  * the webhooks (generic records of the entity webhooks, which has no screen of its
//    own in the navigation), each with its records' kind, events, status and last
//    answer, and the outgoing requests' settings (GET/PATCH /automation/settings: the
//    allow-list of private addresses, retries);
//  * /admin/automation/new: a new webhook's form — the kind of record picked from the
//    metadata, the events as checkboxes; a 422 answer's messages beside their inputs
//    (a private address refused until it is on the allow-list);
//  * /admin/automation/<id>: one webhook — its settings (edited in place, If-Match),
//    the signing secret with how to check a signature, Send test (POST …/test answers
//    the logged delivery), Resume when paused (POST …/resume) with the reason, and
//    its delivery log (GET /webhook_deliveries?webhook_id=…, newest first, a page at a
//    time, by status; a row opens on its body, pretty-printed; Redeliver on a failed
//    one), read again every few seconds while a delivery shown is pending.
// Its other part, the workflow rules (/admin/automation/rules…), is rules.jsx; a
// sub-navigation above both leads from one to the other.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { entityLabel, enumLabel, fieldLabel, formatNumber, getLang, sentence, t } from '../../i18n.js';
import { Link, navigate, recordPath, useLocation } from '../../router.js';
import { canRead, entityMeta, fieldMeta, session, useTitle } from '../../state.js';
import { errorText, flash, Loading, Notice, useFetch } from '../../ui.jsx';
import { RULES, RulesAdmin } from './rules.jsx';
import { useLog } from './log.js';

const BASE = '/admin/automation';
const OWN = new Set(['webhooks', 'webhook_deliveries']);
const HOOKS_PAGE = 100;
const POLL_MS = 3000;
const EVENTS_FALLBACK = ['created', 'updated', 'deleted', 'restored'];

// Labels and enum values of the two entities, as /meta gives them (both languages).
const hookField = (name) => fieldMeta('webhooks', name) || { name, label: name };
const logField = (name) => fieldMeta('webhook_deliveries', name) || { name, label: name };
const hookLabel = (name) => fieldLabel(hookField(name));
const logLabel = (name) => fieldLabel(logField(name));

// A time to the second: two deliveries of one minute are told apart.
const atText = (v) => (v ? new Intl.DateTimeFormat(getLang(), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(v)) : '');
function When({ at }) {
  return at ? <time datetime={at}>{atText(at)}</time> : <span class="muted">—</span>;
}

// The kinds of record a webhook may follow: every entity of the metadata but the
// webhooks' own, by their name in the user's language.
function targetEntities() {
  return session.meta.entities.filter((e) => !OWN.has(e.name))
    .sort((a, b) => entityLabel(a).localeCompare(entityLabel(b), getLang()));
}
function EntityName({ name }) {
  const e = entityMeta(name);
  return e ? entityLabel(e) : t('au.unknownEntity', { name });
}

// Paused or active; a webhook switched off says so instead of "active".
function HookStatus({ hook }) {
  const off = hook.active === false;
  return (
    <>
      {(hook.status !== 'active' || !off) && <span class={`tag au-${hook.status}`}>{enumLabel(hookField('status'), hook.status)}</span>}
      {off && <span class="tag au-off">{t('au.off')}</span>}
    </>
  );
}
// A delivery's status; a pending one waiting for a retry says when it goes.
function DeliveryStatus({ d }) {
  return (
    <>
      <span class={`tag au-${d.status}`}>{enumLabel(logField('status'), d.status)}</span>
      {d.status === 'pending' && d.next_attempt_at && (
        <div class="muted small">{logLabel('next_attempt_at')}: <When at={d.next_attempt_at} /></div>
      )}
    </>
  );
}
// What a delivery's answer text is: the receiver's body when an answer came, else why
// none came — the server's words, in English.
const Answer = ({ d }) => <samp lang={d.response_code ? undefined : 'en'}>{d.response}</samp>;
// The last answer: its HTTP status (none: the connection failed) and when.
function LastAnswer({ hook }) {
  if (!hook.last_code && !hook.last_delivery_at) return <span class="muted">{t('au.notYet')}</span>;
  return (
    <>
      {hook.last_code ? <span class="num">{hook.last_code}</span> : t('au.noAnswer')}
      {hook.last_delivery_at && <span class="muted small"> · <When at={hook.last_delivery_at} /></span>}
    </>
  );
}

// ---- the webhooks and the outgoing requests' settings ----

function WebhookList() {
  const [rows, setRows] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const query = { sort: 'name', limit: HOOKS_PAGE };
  useFetch(() => api.get('/webhooks', query), [], (r) => { setRows(r.data); setCursor(r.next_cursor); }, setError);
  async function more() {
    try {
      const r = await api.get('/webhooks', { ...query, cursor });
      setRows((old) => [...old, ...r.data]);
      setCursor(r.next_cursor);
    } catch (err) { setError(err); }
  }
  const events = hookField('events');
  return (
    <section class="panel" aria-labelledby="au-hooks-h">
      <div class="toolbar">
        <h3 id="au-hooks-h">{t('au.webhooks')}</h3>
        <button type="button" class="primary" onClick={() => navigate(`${BASE}/new`)}>{t('au.new')}</button>
      </div>
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {!rows ? (!error && <Loading />) : !rows.length ? <p class="muted">{t('au.none')}</p> : (
        <div class="table-wrap">
          <table aria-labelledby="au-hooks-h">
            <thead>
              <tr>
                <th scope="col">{hookLabel('name')}</th><th scope="col">{hookLabel('entity')}</th>
                <th scope="col">{hookLabel('events')}</th><th scope="col">{hookLabel('status')}</th>
                <th scope="col">{hookLabel('last_code')}</th>
              </tr>
            </thead>
            <tbody>{rows.map((h) => (
              <tr data-webhook={h.id}>
                <th scope="row">
                  <Link href={`${BASE}/${h.id}`}>{h.name}</Link>
                  <div class="muted small au-url"><code>{h.url}</code></div>
                </th>
                <td><EntityName name={h.entity} /></td>
                <td>{(h.events || []).map((x) => enumLabel(events, x)).join(', ')}</td>
                <td><HookStatus hook={h} /></td>
                <td><LastAnswer hook={h} /></td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
      {rows && cursor && <div class="actions"><button type="button" onClick={more}>{t('list.loadMore')}</button></div>}
    </section>
  );
}

// The allow-list is kept as the administrator wrote it (commas, spaces or lines all
// separate entries); the form shows and sends one entry a line.
const allowLines = (text) => (text || '').split(/[\s,]+/).filter(Boolean).join('\n');
const NUMBERS = [['retry_base_s', 'au.retryBase', 1, 3600], ['max_attempts', 'au.maxAttempts', 1, 30]];

function OutgoingSettings() {
  const [s, setS] = useState(null);
  const [draft, setDraft] = useState(null);
  const [badInput, setBadInput] = useState({});
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const show = (r) => {
    setS(r);
    setDraft({ allow_list: allowLines(r.allow_list), retry_base_s: String(r.retry_base_s), max_attempts: String(r.max_attempts) });
    setBadInput({});
  };
  useFetch(() => api.get('/automation/settings'), [], show, setProblem);
  const set = (k, v) => {
    setDraft((d) => ({ ...d, [k]: v }));
    if (errors[k]) setErrors((e) => ({ ...e, [k]: null }));
  };

  async function save(ev) {
    ev.preventDefault();
    setNotice(null);
    setProblem(null);
    const body = {};
    const errs = {};
    const allow = allowLines(draft.allow_list);
    if (allow !== allowLines(s.allow_list)) body.allow_list = allow;
    for (const [k] of NUMBERS) {
      const raw = draft[k].trim();
      if (badInput[k]) errs[k] = t('form.number');
      else if (raw !== String(s[k])) body[k] = raw === '' ? null : Number(raw);
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    if (!Object.keys(body).length) { setNotice(t('rec.saved')); return; }
    setBusy(true);
    try {
      show(await api.patch('/automation/settings', body));
      setNotice(t('rec.saved'));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 422 && Object.keys(err.fields).length) setErrors(err.fields);
      else setProblem(err);
    } finally {
      setBusy(false);
    }
  }

  if (!s) return problem ? <Notice kind="error">{errorText(problem)}</Notice> : <Loading />;
  const described = (id, err) => `${id}-help${err ? ` ${id}-error` : ''}`;
  return (
    <form class="panel au-outgoing" noValidate onSubmit={save} aria-labelledby="au-out-h">
      <h3 id="au-out-h">{t('au.out')}</h3>
      <p class="muted small">{t('au.outNote')}</p>
      <div aria-live="polite">
        {notice && <Notice onClose={() => setNotice(null)}>{notice}</Notice>}
        {problem && <Notice kind="error">{errorText(problem)}</Notice>}
      </div>
      <div class={`field ${errors.allow_list ? 'has-error' : ''}`}>
        <label for="au-allow">{t('au.allow')}</label>
        <textarea id="au-allow" rows={4} spellcheck={false} autocomplete="off" value={draft.allow_list}
          aria-invalid={!!errors.allow_list} aria-describedby={described('au-allow', errors.allow_list)}
          onInput={(ev) => set('allow_list', ev.currentTarget.value)} />
        <p class="help" id="au-allow-help">
          {sentence('au.allowHelp', { ip: <code>192.168.1.20</code>, cidr: <code>10.1.0.0/16</code>, host: <code>hooks.office.lan</code> })}
        </p>
        {errors.allow_list && <p class="field-error" id="au-allow-error">{t('au.allow')} {errors.allow_list}</p>}
      </div>
      <div class="grid">
        {NUMBERS.map(([k, label, min, max]) => {
          const id = `au-${k}`;
          return (
            <div class={`field ${errors[k] ? 'has-error' : ''}`}>
              <label for={id}>{t(label)}</label>
              <input id={id} type="number" inputMode="numeric" step="1" min={min} max={max} value={draft[k]}
                aria-invalid={!!errors[k]} aria-describedby={described(id, errors[k])}
                onInput={(ev) => {
                  const { value, validity } = ev.currentTarget;
                  set(k, value);
                  setBadInput((b) => ({ ...b, [k]: validity.badInput }));
                }} />
              <p class="help" id={`${id}-help`}>{t(`${label}Help`)}</p>
              {errors[k] && <p class="field-error" id={`${id}-error`}>{t(label)} {errors[k]}</p>}
            </div>
          );
        })}
      </div>
      {Object.entries(errors).filter(([k, v]) => v && k !== 'allow_list' && !NUMBERS.some(([n]) => n === k)).map(([k, v]) => (
        <p class="field-error">{k} {v}</p>
      ))}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('au.saveOut')}</button>
      </div>
    </form>
  );
}

function Overview() {
  return (
    <section class="automation" aria-labelledby="au-h">
      <div class="toolbar"><h2 id="au-h">{t('au.title')}</h2></div>
      <p class="muted">{t('au.note')}</p>
      <WebhookList />
      <OutgoingSettings />
    </section>
  );
}

// ---- a webhook's form: new, or its settings changed ----

const FORM_FIELDS = ['name', 'url', 'entity', 'events', 'active', 'description'];
const valuesOf = (hook) => ({
  name: hook?.name || '', url: hook?.url || '', entity: hook?.entity || '', events: hook?.events || [],
  active: hook ? hook.active !== false : true, description: hook?.description || '',
});
const sameValue = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function WebhookForm({ hook, onSaved, onCancel, onReload }) {
  const creating = !hook;
  const [values, setValues] = useState(() => valuesOf(hook));
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k, v) => {
    setValues((old) => ({ ...old, [k]: v }));
    if (errors[k]) setErrors((old) => ({ ...old, [k]: null }));
  };
  const eventsField = hookField('events');
  const eventValues = eventsField.enum || EVENTS_FALLBACK;
  const entities = targetEntities();

  async function submit(ev) {
    ev.preventDefault();
    setProblem(null);
    const v = { ...values, name: values.name.trim(), url: values.url.trim(), description: values.description.trim() };
    const errs = {};
    for (const k of ['name', 'url', 'entity']) if (!v[k]) errs[k] = t('form.required');
    if (!v.events.length) errs.events = t('form.required');
    setErrors(errs);
    if (Object.keys(errs).length) {
      document.getElementById(`au-f-${Object.keys(errs)[0]}`)?.focus();
      return;
    }
    const body = {};
    const before = valuesOf(hook);
    for (const k of FORM_FIELDS) {
      if (!creating && sameValue(v[k], before[k])) continue;
      body[k] = k === 'description' && !v[k] ? null : v[k];
    }
    if (!Object.keys(body).length) { onSaved(hook); return; }
    setBusy(true);
    try {
      const r = creating ? await api.post('/webhooks', body)
        : await api.patch(`/webhooks/${hook.id}`, body, { version: hook.version });
      onSaved(r);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setProblem(err);
      if (err.status === 422) {
        setErrors(err.fields);
        const first = FORM_FIELDS.find((k) => err.fields[k]);
        if (first) document.getElementById(`au-f-${first}`)?.focus();
      }
    } finally {
      setBusy(false);
    }
  }

  // An input with its label, help and error (the error names the field, as the other
  // forms' do).
  const described = (k, help) => [help && `au-f-${k}-help`, errors[k] && `au-f-${k}-error`].filter(Boolean).join(' ') || undefined;
  const error = (k, label) => errors[k] && <p class="field-error" id={`au-f-${k}-error`}>{label} {errors[k]}</p>;
  const field = (k, help, input) => (
    <div class={`field ${k === 'description' || k === 'url' ? 'wide' : ''} ${errors[k] ? 'has-error' : ''}`}>
      <label for={`au-f-${k}`}>{hookLabel(k)}</label>
      {input}
      {help && <p class="help" id={`au-f-${k}-help`}>{help}</p>}
      {error(k, hookLabel(k))}
    </div>
  );
  const others = Object.entries(errors).filter(([k, v]) => v && !FORM_FIELDS.includes(k));
  const title = creating ? t('au.newTitle') : t('au.editTitle', { name: hook.name });
  return (
    <form class="panel au-form" noValidate onSubmit={submit} aria-labelledby="au-form-h">
      <h3 id="au-form-h">{title}</h3>
      {problem?.status === 422 && (
        <Notice kind="error">
          {t('form.invalid')}
          {others.length > 0 && <ul>{others.map(([k, v]) => <li>{k}: {v}</li>)}</ul>}
        </Notice>
      )}
      {problem?.status === 412 && (
        <Notice kind="warn">{t('rec.stale')} <button type="button" onClick={onReload}>{t('rec.reload')}</button></Notice>
      )}
      {problem && ![412, 422].includes(problem.status) && <Notice kind="error">{errorText(problem)}</Notice>}
      <div class="grid">
        {field('name', null, (
          <input id="au-f-name" value={values.name} maxLength={hookField('name').maxlen} autocomplete="off"
            aria-invalid={!!errors.name} aria-describedby={described('name')} onInput={(ev) => set('name', ev.currentTarget.value)} />
        ))}
        {field('entity', t('au.entityHelp'), (
          <select id="au-f-entity" value={values.entity} aria-invalid={!!errors.entity} aria-describedby={described('entity', true)}
            onChange={(ev) => set('entity', ev.currentTarget.value)}>
            <option value="">{t('form.choose')}</option>
            {values.entity && !entityMeta(values.entity) && <option value={values.entity}>{t('au.unknownEntity', { name: values.entity })}</option>}
            {entities.map((e) => <option value={e.name}>{entityLabel(e)}</option>)}
          </select>
        ))}
        {field('url', t('au.urlHelp'), (
          <input id="au-f-url" type="url" inputMode="url" value={values.url} spellcheck={false} autocomplete="off"
            maxLength={hookField('url').maxlen} aria-invalid={!!errors.url} aria-describedby={described('url', true)}
            onInput={(ev) => set('url', ev.currentTarget.value)} />
        ))}
        <fieldset class={`au-events ${errors.events ? 'has-error' : ''}`} aria-describedby={described('events', true)}>
          <legend>{hookLabel('events')}</legend>
          <div class="checks">
            {eventValues.map((x, i) => (
              <label>
                <input type="checkbox" id={i ? undefined : 'au-f-events'} checked={values.events.includes(x)}
                  onChange={(ev) => set('events', ev.currentTarget.checked
                    ? eventValues.filter((y) => y === x || values.events.includes(y))
                    : values.events.filter((y) => y !== x))} />
                {' '}{enumLabel(eventsField, x)}
              </label>
            ))}
          </div>
          <p class="help" id="au-f-events-help">{t('au.eventsHelp')}</p>
          {error('events', hookLabel('events'))}
        </fieldset>
        <div class={`field wide ${errors.active ? 'has-error' : ''}`}>
          <label class="au-check">
            <input type="checkbox" id="au-f-active" checked={values.active} aria-describedby={described('active', true)}
              onChange={(ev) => set('active', ev.currentTarget.checked)} />
            {' '}{t('au.activeLabel')}
          </label>
          <p class="help" id="au-f-active-help">{t('au.activeHelp')}</p>
          {error('active', hookLabel('active'))}
        </div>
        {field('description', null, (
          <textarea id="au-f-description" rows={3} value={values.description} aria-invalid={!!errors.description}
            aria-describedby={described('description')} onInput={(ev) => set('description', ev.currentTarget.value)} />
        ))}
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{creating ? t('au.create') : t('rec.save')}</button>
        <button type="button" onClick={onCancel}>{t('rec.cancel')}</button>
      </div>
    </form>
  );
}

function NewWebhook() {
  return (
    <section class="automation" aria-labelledby="au-h">
      <p class="crumb"><Link href={BASE}>{t('au.back')}</Link></p>
      <h2 id="au-h" class="sr-only">{t('au.title')}</h2>
      <WebhookForm onCancel={() => navigate(BASE)} onReload={() => {}}
        onSaved={(r) => { navigate(`${BASE}/${r.id}`); flash(t('au.created', { name: r.name })); }} />
    </section>
  );
}

// ---- one webhook ----

// The secret, read-only, with a Copy button (the clipboard when the browser offers it;
// otherwise the text is selected for the user to copy), and how a receiver checks it.
function Secret({ value, onRotate, busy }) {
  const ref = useRef(null);
  const [said, setSaid] = useState('');
  async function copy() {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setSaid(t('au.copied'));
    } catch {
      ref.current.focus();
      ref.current.select();
      setSaid(t('au.selected'));
    }
  }
  const c = (x) => <code>{x}</code>;
  return (
    <section class="panel" aria-labelledby="au-secret-h">
      <h3 id="au-secret-h">{hookLabel('secret')}</h3>
      <div class="secret">
        <label for="au-secret">{hookLabel('secret')}</label>
        <div class="copy">
          <input id="au-secret" ref={ref} readOnly value={value || ''} spellcheck={false} aria-describedby="au-secret-note"
            onFocus={(ev) => ev.currentTarget.select()} />
          <button type="button" aria-label={t('au.copySecret')} onClick={copy}>{t('au.copy')}</button>
          <button type="button" disabled={busy} onClick={onRotate}>{t('au.rotate')}</button>
        </div>
        <p class="small muted" role="status">{said}</p>
      </div>
      <div id="au-secret-note" class="small">
        <p>{sentence('au.secretHelp', {
          header: c('X-Rapport-Signature: t=<t>,v1=<v1>'), v1: c('v1'), mac: c('HMAC-SHA256'), signed: c('<t>.<body>'), t: c('t'),
        })}</p>
        <p>{sentence('au.secretHeaders', { event: c('X-Rapport-Event'), delivery: c('X-Rapport-Delivery'), webhook: c('X-Rapport-Webhook') })}</p>
      </div>
      <details class="small">
        <summary>{t('au.secretExample')}</summary>
        <pre><code>{`// Node.js: body is the request's raw body (a Buffer), header its X-Rapport-Signature.
import crypto from 'node:crypto';

function verified(secret, header, body, toleranceS = 300) {
  const m = /^t=(\\d+),v1=([0-9a-f]{64})$/.exec(header || '');
  if (!m || Math.abs(Date.now() / 1000 - Number(m[1])) > toleranceS) return false;
  const mac = crypto.createHmac('sha256', secret).update(\`\${m[1]}.\`).update(body).digest();
  return crypto.timingSafeEqual(mac, Buffer.from(m[2], 'hex'));
}`}</code></pre>
      </details>
    </section>
  );
}

// What a test delivery says: delivered with its answer, or why not.
function testOutcome(d) {
  const ms = formatNumber(d.duration_ms ?? 0);
  if (d.status === 'delivered') return { kind: 'info', text: t('au.testOk', { code: d.response_code, ms }) };
  if (d.response_code) return { kind: 'error', text: t('au.testFailCode', { code: d.response_code, ms }), answer: d.response ? d : null };
  return { kind: 'error', text: sentence('au.testFailNone', { why: d.response ? <span lang="en">{d.response}</span> : t('au.noAnswer') }) };
}

function TestPanel({ hook, onSent }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  async function send() {
    setBusy(true);
    setResult(null);
    try {
      const d = await api.post(`/webhooks/${hook.id}/test`);
      setResult(testOutcome(d));
      onSent();
    } catch (err) {
      setResult({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="panel" aria-labelledby="au-test-h">
      <h3 id="au-test-h">{t('au.testTitle')}</h3>
      <p class="muted small">{t('au.testNote')}</p>
      <div class="actions">
        <button type="button" disabled={busy} onClick={send}>{busy ? t('au.testing') : t('au.test')}</button>
      </div>
      <div class="au-result" aria-live="polite">
        {result && (
          <Notice kind={result.kind} onClose={() => setResult(null)}>
            {result.text}
            {result.answer && <pre><Answer d={result.answer} /></pre>}
          </Notice>
        )}
      </div>
    </section>
  );
}

// The record a delivery is about: its title linked when the user may read that kind of
// record, else its id.
function DeliveryRecord({ d }) {
  const e = d.entity && entityMeta(d.entity);
  const title = useTitle(e && canRead(e) && d.record_id ? d.entity : null, d.record_id);
  if (!d.record_id) return <span class="muted">—</span>;
  if (!e || !canRead(e)) return <code class="small">{d.record_id}</code>;
  return <Link href={recordPath(d.entity, d.record_id)}>{title || <code class="small">{d.record_id.slice(0, 8)}</code>}</Link>;
}

const pretty = (text) => {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
};

function DeliveryDetail({ d, id, cols }) {
  const row = (name, value) => <><dt>{logLabel(name)}</dt><dd>{value}</dd></>;
  return (
    <tr class="au-detail" id={id}>
      <td colSpan={cols}>
        <section aria-label={t('au.detailsOf', { at: atText(d.created_at) })}>
          <dl class="au-props">
            <dt>{t('au.id')}</dt><dd><code>{d.id}</code></dd>
            {d.record_version !== null && d.record_version !== undefined && row('record_version', d.record_version)}
            {row('delivered_at', <When at={d.delivered_at} />)}
            {row('response', d.response ? <pre><Answer d={d} /></pre> : <span class="muted">—</span>)}
          </dl>
          <h4>{logLabel('payload')}</h4>
          {d.payload ? <pre class="au-payload" tabIndex={0}><code>{pretty(d.payload)}</code></pre> : <p class="muted">{t('au.noBody')}</p>}
        </section>
      </td>
    </tr>
  );
}

function DeliveryLog({ hook, tick, onChanged }) {
  const [open, setOpen] = useState(() => new Set());
  const [msg, setMsg] = useState(null);
  const { rows, setRows, cursor, error, status, setStatus, load } = useLog('/webhook_deliveries', { webhook_id: hook.id }, hook.id);
  useEffect(() => { if (tick) load({ keep: true }); }, [tick]);
  // While a delivery shown waits for its turn (and the webhook is sending), the log and
  // the webhook are read again every few seconds.
  const waiting = (rows || []).some((d) => d.status === 'pending') && hook.status === 'active' && hook.active !== false;
  const waited = useRef(false);
  useEffect(() => {
    // The last one went: the webhook's tally (last answer, failures, a pause) follows.
    if (!waiting && waited.current) onChanged();
    waited.current = waiting;
    if (!waiting) return undefined;
    const timer = setInterval(() => { load({ keep: true }); onChanged(); }, POLL_MS);
    return () => clearInterval(timer);
  }, [waiting, hook.id, status]);

  const toggle = (id) => setOpen((old) => {
    const next = new Set(old);
    if (next.has(id)) next.delete(id); else next.add(id);
    return next;
  });
  async function redeliver(d) {
    setMsg(null);
    try {
      const r = await api.post(`/webhook_deliveries/${d.id}/redeliver`);
      setRows((old) => old.map((x) => (x.id === r.id ? r : x)));
      const at = atText(d.created_at);
      setMsg({ kind: 'info', text: t(hook.status === 'paused' ? 'au.redeliveredPaused' : 'au.redelivered', { at }) });
      onChanged();
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  }

  const statuses = logField('status').enum || ['pending', 'delivered', 'failed'];
  const head = [t('au.when'), logLabel('event'), logLabel('record_id'), logLabel('status'), logLabel('attempts'),
    logLabel('response_code'), logLabel('duration_ms')];
  return (
    <section class="panel au-log" aria-labelledby="au-log-h">
      <h3 id="au-log-h">{t('au.log')}</h3>
      <p class="muted small">{t('au.logNote')}</p>
      <div class="toolbar">
        <label for="au-log-status">{t('au.filter')}</label>
        <select id="au-log-status" value={status} onChange={(ev) => setStatus(ev.currentTarget.value)}>
          <option value="">{t('au.all')}</option>
          {statuses.map((x) => <option value={x}>{enumLabel(logField('status'), x)}</option>)}
        </select>
        <button type="button" onClick={() => { load({ keep: true }); onChanged(); }}>{t('au.refresh')}</button>
      </div>
      <div aria-live="polite">
        {msg && <Notice kind={msg.kind} onClose={() => setMsg(null)}>{msg.text}</Notice>}
      </div>
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {!rows ? (!error && <Loading />) : !rows.length ? <p class="muted">{t(status ? 'au.noLogWith' : 'au.noLog')}</p> : (
        <div class="table-wrap">
          <table aria-labelledby="au-log-h">
            <thead>
              <tr>
                {head.map((h) => <th scope="col">{h}</th>)}
                <th scope="col"><span class="sr-only">{t('au.actions')}</span></th>
              </tr>
            </thead>
            <tbody>{rows.map((d) => {
              const detailId = `au-d-${d.id}`;
              const at = atText(d.created_at);
              return (
                <>
                  <tr data-delivery={d.id} class={open.has(d.id) ? 'selected' : ''}>
                    <td><When at={d.created_at} /></td>
                    <td>{enumLabel(logField('event'), d.event)}</td>
                    <td><DeliveryRecord d={d} /></td>
                    <td><DeliveryStatus d={d} /></td>
                    <td class="num">{d.attempts ?? 0}</td>
                    <td class="num">{d.response_code ?? <span class="muted">—</span>}</td>
                    <td class="num">{d.duration_ms === null || d.duration_ms === undefined ? <span class="muted">—</span> : formatNumber(d.duration_ms)}</td>
                    <td class="row-actions">
                      <button type="button" aria-expanded={open.has(d.id)} aria-controls={detailId}
                        aria-label={t('au.detailsOf', { at })} onClick={() => toggle(d.id)}>{t('au.details')}</button>
                      {d.status === 'failed' && d.event !== 'test' && (
                        <button type="button" aria-label={t('au.redeliverOf', { at })} onClick={() => redeliver(d)}>{t('au.redeliver')}</button>
                      )}
                    </td>
                  </tr>
                  {open.has(d.id) && <DeliveryDetail d={d} id={detailId} cols={head.length + 1} />}
                </>
              );
            })}</tbody>
          </table>
        </div>
      )}
      {rows && cursor && <div class="actions"><button type="button" onClick={() => load({ more: true })}>{t('list.loadMore')}</button></div>}
    </section>
  );
}

// The webhook's settings as they are (the form replaces them while editing).
function HookProps({ hook }) {
  const events = hookField('events');
  const row = (name, value) => <><dt>{hookLabel(name)}</dt><dd>{value}</dd></>;
  return (
    <dl class="au-props">
      {row('url', <code>{hook.url}</code>)}
      {row('entity', <EntityName name={hook.entity} />)}
      {row('events', (hook.events || []).map((x) => enumLabel(events, x)).join(', '))}
      {row('active', hook.active === false ? t('no') : t('yes'))}
      {hook.description && row('description', <span class="pre">{hook.description}</span>)}
    </dl>
  );
}
function HookState({ hook }) {
  const row = (name, value) => <><dt>{hookLabel(name)}</dt><dd>{value}</dd></>;
  return (
    <dl class="au-props">
      {row('status', <HookStatus hook={hook} />)}
      {row('last_code', <LastAnswer hook={hook} />)}
      {row('failures', formatNumber(hook.failures || 0))}
    </dl>
  );
}

async function restoreHook(id) {
  try {
    await api.post(`/webhooks/${id}/restore`);
    navigate(`${BASE}/${id}`);
    flash(t('rec.restored'));
  } catch (err) {
    flash(errorText(err), { kind: 'error' });
  }
}

function WebhookPage({ id }) {
  const [hook, setHook] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0); // the log reads again
  useFetch(() => api.get(`/webhooks/${id}`), [id], setHook, setError);
  const reload = () => api.get(`/webhooks/${id}`).then(setHook, () => {});

  if (error) return <Notice kind="error">{error.status === 404 ? t('rec.notFound') : errorText(error)}</Notice>;
  if (!hook) return <Loading />;

  async function resume() {
    setBusy(true);
    setNotice(null);
    try {
      setHook(await api.post(`/webhooks/${id}/resume`));
      setNotice({ kind: 'info', text: t('au.resumed') });
      setTick((n) => n + 1);
    } catch (err) {
      setNotice({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }
  // A new secret: the receiver must be given it, the old one stops at once.
  async function rotate() {
    if (!window.confirm(t('au.rotateConfirm'))) return;
    setBusy(true);
    setNotice(null);
    try {
      setHook(await api.post(`/webhooks/${id}/rotate-secret`));
      setNotice({ kind: 'info', text: t('au.rotated') });
    } catch (err) {
      setNotice({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }
  async function remove() {
    if (!window.confirm(t('au.deleteConfirm', { name: hook.name }))) return;
    try {
      await api.del(`/webhooks/${id}`, { version: hook.version });
      navigate(BASE);
      flash(t('rec.deleted'), { action: { label: t('rec.undo'), run: () => restoreHook(id) } });
    } catch (err) {
      setNotice({ kind: 'error', text: errorText(err) });
    }
  }

  return (
    <section class="automation au-hook" aria-labelledby="au-hook-h">
      <p class="crumb"><Link href={BASE}>{t('au.back')}</Link></p>
      <div class="record-head">
        <div>
          <h2 id="au-hook-h">{hook.name}</h2>
          <p class="muted small"><EntityName name={hook.entity} /> · <HookStatus hook={hook} /></p>
        </div>
        {!editing && (
          <div class="actions">
            <button type="button" onClick={() => { setNotice(null); setEditing(true); }}>{t('rec.edit')}</button>
            <button type="button" class="danger" onClick={remove}>{t('rec.delete')}</button>
          </div>
        )}
      </div>
      <div aria-live="polite">
        {notice && <Notice kind={notice.kind} onClose={() => setNotice(null)}>{notice.text}</Notice>}
      </div>
      {hook.status === 'paused' && (
        <div class="notice warn au-paused" role="status">
          <p>{sentence('au.paused', { reason: <span lang="en">{hook.paused_reason || '—'}</span> })}</p>
          <button type="button" class="primary" disabled={busy} onClick={resume}>{t('au.resume')}</button>
        </div>
      )}
      {hook.active === false && <Notice kind="warn">{t('au.inactive')}</Notice>}
      {editing ? (
        <WebhookForm hook={hook} onCancel={() => setEditing(false)} onReload={reload}
          onSaved={(r) => { setHook(r); setEditing(false); setNotice({ kind: 'info', text: t('rec.saved') }); }} />
      ) : (
        <div class="au-columns">
          <section class="panel" aria-labelledby="au-set-h">
            <h3 id="au-set-h">{t('au.settings')}</h3>
            <HookProps hook={hook} />
          </section>
          <section class="panel" aria-labelledby="au-state-h">
            <h3 id="au-state-h">{t('au.deliveryState')}</h3>
            <HookState hook={hook} />
          </section>
        </div>
      )}
      <Secret value={hook.secret} onRotate={rotate} busy={busy} />
      <TestPanel hook={hook} onSent={() => setTick((n) => n + 1)} />
      <DeliveryLog hook={hook} tick={tick} onChanged={reload} />
    </section>
  );
}

// The tab's two parts, webhooks and rules.
function Sections({ rules }) {
  return (
    <nav class="tabs au-sections" aria-label={t('au.sections')}>
      <Link href={BASE} aria-current={rules ? undefined : 'page'}>{t('au.webhooks')}</Link>
      <Link href={RULES} aria-current={rules ? 'page' : undefined}>{t('au.rules')}</Link>
    </nav>
  );
}

// The tab: sub is what follows /admin/automation/ in the path ('new', a webhook's id,
// 'rules' — then a rule's id, 'new', or a rule's id and 'edit').
export function AutomationAdmin({ sub }) {
  const { path } = useLocation();
  const rules = sub === 'rules';
  const [id, edit] = rules ? path.split('/').slice(4) : [];
  let screen;
  if (rules) screen = <RulesAdmin id={id} edit={edit === 'edit'} />;
  else if (sub === 'new') screen = <NewWebhook />;
  else if (sub) screen = <WebhookPage id={sub} key={sub} />;
  else screen = <Overview />;
  return <><Sections rules={rules} />{screen}</>;
}
