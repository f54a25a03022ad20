// My settings (platform module, path /settings, reached from the user's name in the top
// bar; web/src/mod/index.js): the signed-in user's own profile (display name, e-mail,
// language) and password through PATCH /auth/me; the calendar feed, an API token named
// CALENDAR_TOKEN whose address (GET /calendar.ics?token=…) Outlook, Google Calendar and
// Thunderbird subscribe to; and the user's API tokens (GET/POST/DELETE /tokens). A
// token's secret is shown once, when it is made: the server keeps only its hash, so a
// lost one is replaced, never shown again.
import { useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { formatDateTime, getLang, LANGS, setLang, t } from '../../i18n.js';
import { session, updateUser } from '../../state.js';
import { errorText, Loading, Notice, useFetch, usePageTitle } from '../../ui.jsx';

// The name that marks the token of the calendar feed (docs/api.md, "Calendar feed").
export const CALENDAR_TOKEN = 'Calendar feed';
const TOKEN_NAME_MAX = 100; // characters, as the server counts them (auth_token_create)
const feedUrl = (token) => `${location.origin}/api/v1/calendar.ics?token=${encodeURIComponent(token)}`;

// A labelled input with its help and its error beside it (the error names the field).
function Field({ id, label, error, help, onValue, ...input }) {
  const described = [help && `${id}-help`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field ${error ? 'has-error' : ''}`}>
      <label for={id}>{label}</label>
      <input id={id} aria-invalid={!!error} aria-describedby={described}
        onInput={(ev) => onValue(ev.currentTarget.value)} {...input} />
      {help && <p class="help" id={`${id}-help`}>{help}</p>}
      {error && <p class="field-error" id={`${id}-error`}>{label} {error}</p>}
    </div>
  );
}

function When({ at }) {
  return <time datetime={at}>{formatDateTime(at)}</time>;
}

// A secret shown once: read-only, with a Copy button (the clipboard when the browser
// offers it; otherwise the text is selected for the user to copy).
function Secret({ id, label, copyLabel, value, children }) {
  const ref = useRef(null);
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setCopied(t('me.copied'));
    } catch {
      ref.current.focus();
      ref.current.select();
      setCopied(t('me.selected'));
    }
  }
  return (
    <div class="secret">
      <label for={id}>{label}</label>
      <div class="copy">
        <input id={id} ref={ref} readOnly value={value} spellcheck={false} aria-describedby={`${id}-note`}
          onFocus={(ev) => ev.currentTarget.select()} />
        <button type="button" aria-label={copyLabel} onClick={copy}>{t('me.copy')}</button>
      </div>
      <div id={`${id}-note`}>{children}</div>
      <p class="small muted" role="status">{copied}</p>
    </div>
  );
}

// The notice a profile save leaves when it changed the language: the page is drawn
// again in the new language (the shell re-mounts) and shows it there.
let savedAcrossLanguage = false;

function Profile() {
  const me = session.user;
  const start = { display_name: me.display_name || '', email: '', locale: getLang() };
  const [base, setBase] = useState(start); // what the server holds, as far as known
  const [values, setValues] = useState(start);
  const [emailKnown, setEmailKnown] = useState(null); // null: loading
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [notice, setNotice] = useState(() => {
    const was = savedAcrossLanguage;
    savedAcrossLanguage = false;
    return was ? 'me.saved' : null;
  });
  const [busy, setBusy] = useState(false);
  // /auth/me does not tell the e-mail address; the user's record does, when the role
  // may read users (every built-in role but partner) and does not hide the field.
  useFetch(() => api.get(`/users/${me.id}`), [me.id], (r) => {
    const known = typeof r.email === 'string' || r.email === null;
    setEmailKnown(known);
    if (!known) return;
    setBase((b) => ({ ...b, email: r.email || '' }));
    setValues((v) => (v.email ? v : { ...v, email: r.email || '' }));
  }, () => setEmailKnown(false));

  const set = (k) => (v) => {
    setValues((old) => ({ ...old, [k]: v }));
    if (errors[k]) setErrors((old) => ({ ...old, [k]: null }));
  };

  async function submit(ev) {
    ev.preventDefault();
    setNotice(null);
    setProblem(null);
    const body = {};
    for (const k of ['display_name', 'email', 'locale']) if (values[k] !== base[k]) body[k] = values[k];
    if (!Object.keys(body).length) { setNotice('me.saved'); return; }
    setBusy(true);
    try {
      const r = await api.patch('/auth/me', body);
      const next = { display_name: r.display_name || '', email: r.email ?? values.email, locale: r.locale || 'en' };
      setBase(next);
      setValues(next);
      setErrors({});
      if (next.locale !== getLang()) {
        savedAcrossLanguage = true;
        setLang(next.locale);
      } else {
        setNotice('me.saved');
      }
      updateUser({ display_name: r.display_name, locale: r.locale });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 422) setErrors(err.fields);
      setProblem(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel" noValidate onSubmit={submit} aria-labelledby="me-profile-h">
      <h2 id="me-profile-h">{t('me.profile')}</h2>
      {notice && <Notice onClose={() => setNotice(null)}>{t(notice)}</Notice>}
      {problem && <Notice kind="error">{problem.status === 422 ? t('form.invalid') : errorText(problem)}</Notice>}
      <div class="grid">
        <Field id="me-display_name" label={t('me.displayName')} value={values.display_name} error={errors.display_name}
          autocomplete="name" onValue={set('display_name')} />
        <Field id="me-email" label={t('me.email')} type="email" value={values.email} error={errors.email}
          autocomplete="email" help={emailKnown === false ? t('me.emailUnknown') : undefined} onValue={set('email')} />
        <div class={`field ${errors.locale ? 'has-error' : ''}`}>
          <label for="me-locale">{t('me.language')}</label>
          <select id="me-locale" value={values.locale} aria-invalid={!!errors.locale}
            aria-describedby={errors.locale ? 'me-locale-error' : undefined}
            onChange={(ev) => set('locale')(ev.currentTarget.value)}>
            {LANGS.map(([k, l]) => <option value={k} lang={k}>{l}</option>)}
          </select>
          {errors.locale && <p class="field-error" id="me-locale-error">{t('me.language')} {errors.locale}</p>}
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('me.saveProfile')}</button>
      </div>
    </form>
  );
}

function Password({ onTokensChanged }) {
  const empty = { current_password: '', password: '', confirm: '' };
  const [values, setValues] = useState(empty);
  const [keep, setKeep] = useState(false);
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (v) => {
    setValues((old) => ({ ...old, [k]: v }));
    if (errors[k]) setErrors((old) => ({ ...old, [k]: null }));
  };

  async function submit(ev) {
    ev.preventDefault();
    setNotice(null);
    setProblem(null);
    const errs = {};
    if (!values.current_password) errs.current_password = t('form.required');
    if (!values.password) errs.password = t('form.required');
    else if (values.confirm !== values.password) errs.confirm = t('me.err.mismatch');
    setErrors(errs);
    if (Object.keys(errs).length) {
      document.getElementById(`me-${Object.keys(errs)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await api.patch('/auth/me', { password: values.password, current_password: values.current_password, keep_tokens: keep });
      setValues(empty);
      setNotice(keep ? 'me.pw.doneKept' : 'me.pw.done');
      if (!keep) onTokensChanged();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 422) setErrors(err.fields);
      setProblem(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel" noValidate onSubmit={submit} aria-labelledby="me-pw-h">
      <h2 id="me-pw-h">{t('me.pw.title')}</h2>
      <p class="muted small">{t('me.pw.note')}</p>
      {notice && <Notice onClose={() => setNotice(null)}>{t(notice)}</Notice>}
      {problem && <Notice kind="error">{problem.status === 422 ? t('form.invalid') : errorText(problem)}</Notice>}
      <div class="grid">
        <Field id="me-current_password" label={t('me.pw.current')} type="password" autocomplete="current-password"
          value={values.current_password} error={errors.current_password} onValue={set('current_password')} />
        <Field id="me-password" label={t('me.pw.new')} type="password" autocomplete="new-password"
          value={values.password} error={errors.password} help={t('me.pw.rules')} onValue={set('password')} />
        <Field id="me-confirm" label={t('me.pw.confirm')} type="password" autocomplete="new-password"
          value={values.confirm} error={errors.confirm} onValue={set('confirm')} />
      </div>
      <label class="check">
        <input type="checkbox" checked={keep} onChange={(ev) => setKeep(ev.currentTarget.checked)} />
        {t('me.pw.keep')}
      </label>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('me.pw.submit')}</button>
      </div>
    </form>
  );
}

// Revokes tokens one after the other; rejects with the first refusal.
async function revokeAll(list) {
  for (const x of list) await api.del(`/tokens/${x.id}`);
}

function CalendarFeed({ tokens, onChanged }) {
  const [made, setMade] = useState(null); // {id, url}: shown until the token is revoked
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const feeds = (tokens || []).filter((x) => x.name === CALENDAR_TOKEN && !x.revoked_at);
  const shown = made && !(tokens || []).some((x) => x.id === made.id && x.revoked_at) ? made : null;

  async function create() {
    if (feeds.length && !confirm(t('feed.replaceConfirm'))) return;
    setBusy(true);
    setMsg(null);
    try {
      await revokeAll(feeds); // the old address stops working before the new one exists
      const r = await api.post('/tokens', { name: CALENDAR_TOKEN });
      setMade({ id: r.id, url: feedUrl(r.token) });
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
      onChanged();
    }
  }
  async function revoke() {
    if (!confirm(t('feed.revokeConfirm'))) return;
    setBusy(true);
    setMsg(null);
    try {
      await revokeAll(feeds);
      setMade(null);
      setMsg({ kind: 'info', text: t('feed.revoked') });
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
      onChanged();
    }
  }

  const latest = feeds[0]; // the list is newest first
  return (
    <section class="panel" aria-labelledby="me-cal-h">
      <h2 id="me-cal-h">{t('feed.title')}</h2>
      <p class="muted small">{t('feed.note')}</p>
      {msg && <Notice kind={msg.kind} onClose={() => setMsg(null)}>{msg.text}</Notice>}
      {!tokens ? <Loading /> : shown ? (
        <Secret id="me-cal-url" label={t('feed.url')} copyLabel={t('feed.copy')} value={shown.url}>
          <p><strong>{t('feed.once')}</strong></p>
          <p>{t('feed.howto')}</p>
        </Secret>
      ) : latest ? (
        <p>
          {t('feed.exists', {
            made: formatDateTime(latest.created_at),
            used: latest.last_used_at ? formatDateTime(latest.last_used_at) : t('tok.never'),
          })}
        </p>
      ) : <p>{t('feed.none')}</p>}
      {tokens && (
        <div class="actions">
          <button type="button" class={feeds.length ? '' : 'primary'} disabled={busy} onClick={create}>
            {t(feeds.length ? 'feed.replace' : 'feed.create')}
          </button>
          {feeds.length > 0 && (
            <button type="button" class="danger" disabled={busy} onClick={revoke}>{t('feed.revoke')}</button>
          )}
        </div>
      )}
    </section>
  );
}

function Tokens({ tokens, error, onChanged }) {
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState(null);
  const [made, setMade] = useState(null); // {id, name, token}
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const shown = made && !(tokens || []).some((x) => x.id === made.id && x.revoked_at) ? made : null;

  async function create(ev) {
    ev.preventDefault();
    setMsg(null);
    const n = name.trim();
    if (!n) { setNameError(t('form.required')); return; }
    if ([...n].length > TOKEN_NAME_MAX) { setNameError(t('me.err.between', { min: 1, max: TOKEN_NAME_MAX })); return; }
    setBusy(true);
    try {
      const r = await api.post('/tokens', { name: n });
      setMade(r);
      setName('');
      setNameError(null);
      onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.fields.name) setNameError(err.fields.name);
      else setMsg({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }
  async function revoke(x) {
    if (!confirm(t('tok.revokeConfirm', { name: x.name }))) return;
    setMsg(null);
    try {
      await api.del(`/tokens/${x.id}`);
      setMsg({ kind: 'info', text: t('tok.revoked', { name: x.name }) });
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    } finally {
      onChanged();
    }
  }

  return (
    <section class="panel" aria-labelledby="me-tok-h">
      <h2 id="me-tok-h">{t('tok.title')}</h2>
      <p class="muted small">{t('tok.note')}</p>
      {msg && <Notice kind={msg.kind} onClose={() => setMsg(null)}>{msg.text}</Notice>}
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {shown && (
        <Secret id="me-tok-secret" label={t('tok.secret', { name: shown.name })} copyLabel={t('tok.copy')} value={shown.token}>
          <p><strong>{t('tok.once')}</strong></p>
          <p>{t('tok.use')}</p>
        </Secret>
      )}
      {!tokens ? (!error && <Loading />) : !tokens.length ? <p class="muted">{t('tok.none')}</p> : (
        <div class="table-wrap">
          <table aria-labelledby="me-tok-h">
            <thead>
              <tr>
                <th scope="col">{t('tok.name')}</th><th scope="col">{t('tok.created')}</th>
                <th scope="col">{t('tok.lastUsed')}</th><th scope="col">{t('tok.status')}</th>
                <th scope="col"><span class="sr-only">{t('tok.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((x) => (
                <tr class={x.revoked_at ? 'revoked' : ''} data-token={x.id}>
                  <td>{x.name}{x.name === CALENDAR_TOKEN && <span class="tag">{t('tok.calendar')}</span>}</td>
                  <td><When at={x.created_at} /></td>
                  <td>{x.last_used_at ? <When at={x.last_used_at} /> : t('tok.never')}</td>
                  <td>{x.revoked_at ? t('tok.revokedAt', { at: formatDateTime(x.revoked_at) }) : t('tok.active')}</td>
                  <td class="row-actions">
                    {!x.revoked_at && (
                      <button type="button" class="danger" aria-label={t('tok.revokeOne', { name: x.name })}
                        onClick={() => revoke(x)}>{t('tok.revoke')}</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="token-add" noValidate onSubmit={create} aria-labelledby="me-tok-new-h">
        <h3 id="me-tok-new-h" class="sr-only">{t('tok.new')}</h3>
        <Field id="me-tok-name" label={t('tok.newName')} value={name} error={nameError}
          onValue={(v) => { setName(v); setNameError(null); }} />
        <button type="submit" disabled={busy}>{t('tok.create')}</button>
      </form>
    </section>
  );
}

export function MySettings() {
  const [tokens, setTokens] = useState(null);
  const [tokError, setTokError] = useState(null);
  const [tick, setTick] = useState(0);
  usePageTitle(t('me.title'));
  useFetch(() => api.get('/tokens'), [tick], (r) => { setTokens(r.data); setTokError(null); }, setTokError);
  const reload = () => setTick((n) => n + 1);
  return (
    <section class="my-settings" aria-labelledby="me-h">
      <h1 id="me-h">{t('me.title')}</h1>
      <p class="muted">{t('me.signedIn', { user: session.user.username })}</p>
      <Profile />
      <Password onTokensChanged={reload} />
      <CalendarFeed tokens={tokens} onChanged={reload} />
      <Tokens tokens={tokens} error={tokError} onChanged={reload} />
    </section>
  );
}
