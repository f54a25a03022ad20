// Calendar & contacts sync (dav module, path /calendar-sync; web/src/mod/index.js): the
// signed-in user's CalDAV and CardDAV addresses (docs/dav.md), an app password — an API
// token named SYNC_TOKEN, made with POST /tokens and shown once — and step-by-step set-up
// for Thunderbird, Apple Calendar and Contacts, and Android's DAVx⁵.
import { useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { t } from '../../i18n.js';
import { session } from '../../state.js';
import { errorText, Notice, useFetch, usePageTitle } from '../../ui.jsx';

// The name of the tokens this page makes (listed and revoked under My settings).
export const SYNC_TOKEN = 'Calendar & contacts sync';

// A read-only value with a Copy button (the clipboard, or the text selected to copy).
function CopyField({ id, label, value, children }) {
  const ref = useRef(null);
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setCopied(t('dav.copied'));
    } catch {
      ref.current.focus();
      ref.current.select();
      setCopied(t('dav.selected'));
    }
  }
  return (
    <div class="secret">
      <label for={id}>{label}</label>
      <div class="copy">
        <input id={id} ref={ref} readOnly value={value} spellcheck={false}
          onFocus={(ev) => ev.currentTarget.select()} />
        <button type="button" aria-label={t('dav.copyLabel', { what: label })} onClick={copy}>{t('dav.copy')}</button>
      </div>
      {children}
      <p class="small muted" role="status">{copied}</p>
    </div>
  );
}

function Steps({ id, title, keys }) {
  return (
    <section class="panel" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <ol>{keys.map((k) => <li key={k}>{t(k)}</li>)}</ol>
    </section>
  );
}

function AppPassword() {
  const [made, setMade] = useState(null);
  const [count, setCount] = useState(null);
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  useFetch(() => api.get('/tokens'), [tick],
    (r) => setCount(r.data.filter((x) => x.name === SYNC_TOKEN && !x.revoked_at).length),
    (err) => setMsg({ kind: 'error', text: errorText(err) }));
  async function make() {
    setBusy(true);
    setMsg(null);
    try {
      const r = await api.post('/tokens', { name: SYNC_TOKEN });
      setMade(r.token);
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
      setTick((n) => n + 1);
    }
  }
  return (
    <section class="panel" aria-labelledby="dav-token-h">
      <h2 id="dav-token-h">{t('dav.token')}</h2>
      <p class="muted small">{t('dav.tokenNote')} <code>{SYNC_TOKEN}</code></p>
      {msg && <Notice kind={msg.kind} onClose={() => setMsg(null)}>{msg.text}</Notice>}
      {made && (
        <CopyField id="dav-token" label={t('dav.tokenMade')} value={made}>
          <p><strong>{t('dav.tokenOnce')}</strong></p>
        </CopyField>
      )}
      {count !== null && <p>{t('dav.tokenCount', { n: count })}</p>}
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={make}>{t('dav.tokenMake')}</button>
      </div>
    </section>
  );
}

export function SyncPage() {
  usePageTitle(t('dav.title'));
  const user = session.user.username;
  const seg = encodeURIComponent(user);
  const base = `${location.origin}/dav/`;
  return (
    <section class="dav-sync" aria-labelledby="dav-h">
      <h1 id="dav-h">{t('dav.title')}</h1>
      <p>{t('dav.intro')}</p>
      <section class="panel" aria-labelledby="dav-server-h">
        <h2 id="dav-server-h">{t('dav.server')}</h2>
        <CopyField id="dav-server" label={t('dav.serverUrl')} value={base} />
        <CopyField id="dav-user" label={t('dav.user')} value={user} />
        <CopyField id="dav-cal" label={t('dav.calUrl')} value={`${base}calendars/${seg}/default/`} />
        <CopyField id="dav-card" label={t('dav.cardUrl')} value={`${base}addressbooks/${seg}/default/`} />
        <p class="muted small">{t('dav.password')}</p>
      </section>
      <AppPassword />
      <h2>{t('dav.howto')}</h2>
      <Steps id="dav-tb" title={t('dav.tb')} keys={['dav.tb1', 'dav.tb2', 'dav.tb3', 'dav.tb4']} />
      <Steps id="dav-apple" title={t('dav.apple')} keys={['dav.apple1', 'dav.apple2', 'dav.apple3', 'dav.apple4']} />
      <Steps id="dav-android" title={t('dav.android')} keys={['dav.android1', 'dav.android2', 'dav.android3']} />
      <p class="muted small">{t('dav.limits')}</p>
    </section>
  );
}
