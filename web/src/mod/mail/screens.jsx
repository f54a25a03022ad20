// The mail module's screens, loaded on their first visit (web/src/mod/index.js): the
// templates' list (their editor is the generic record page) and the administrators'
// mail settings with a test message.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { t } from '../../i18n.js';
import { ListView } from '../../list.jsx';
import { entityMeta } from '../../state.js';
import { errorText, flash, Loading, Notice, useFetch, usePageTitle } from '../../ui.jsx';

// The templates: the generic list (new and edit on the generic record page) and how
// merge fields are written.
export function TemplatesPage() {
  usePageTitle(t('mail.templates'));
  return (
    <section class="mail-templates">
      <p class="muted">{t('mail.mergeHelp')}</p>
      <ListView e={entityMeta('email_templates')} />
    </section>
  );
}

const NUMBERS = [['port', 'mail.port'], ['domain_per_minute', 'mail.perMinute'], ['retry_base_s', 'mail.retryBase'],
  ['max_attempts', 'mail.maxAttempts'], ['timeout_s', 'mail.timeout']];

// The administrators' settings: only what changed is sent; the password is write-only.
export function MailSettings() {
  usePageTitle(t('mail.settings'));
  const [s, setS] = useState(null);
  const [v, setV] = useState({});
  const [problem, setProblem] = useState(null);
  const [errors, setErrors] = useState({});
  const [testTo, setTestTo] = useState('');
  const [test, setTest] = useState(null);
  const [busy, setBusy] = useState(false);
  useFetch(() => api.get('/mail/settings'), [], (r) => { setS(r); setV({}); }, (err) => setProblem(errorText(err)));
  if (!s) return problem ? <Notice kind="error">{problem}</Notice> : <Loading />;
  const val = (k) => (k in v ? v[k] : s[k] ?? '');
  const set = (k, x) => setV({ ...v, [k]: x });
  async function save() {
    const body = {};
    for (const [k, x] of Object.entries(v)) {
      if (NUMBERS.some(([n]) => n === k)) body[k] = x === '' ? null : Number(x);
      else if (k === 'per_user_from' || k === 'password') body[k] = x;
      else body[k] = x === '' ? null : x;
    }
    setBusy(true); setProblem(null); setErrors({});
    try {
      const r = await api.patch('/mail/settings', body);
      setS(r); setV({});
      flash(t('mail.saved'));
    } catch (err) {
      setProblem(errorText(err));
      setErrors(err.fields || {});
    }
    setBusy(false);
  }
  async function sendTest() {
    setTest(null);
    try {
      const r = await api.post('/mail/test', { to: testTo });
      setTest({ ok: r.sent, text: t(r.sent ? 'mail.testOk' : 'mail.testFail', { answer: r.answer }) });
    } catch (err) {
      setTest({ ok: false, text: errorText(err) });
    }
  }
  const input = (k, label, type = 'text') => (
    <div class={`field ${errors[k] ? 'has-error' : ''}`}>
      <label for={`ms-${k}`}>{t(label)}</label>
      <input id={`ms-${k}`} type={type} value={val(k)} onInput={(ev) => set(k, ev.target.value)} autocomplete="off" />
      {errors[k] && <p class="field-error">{errors[k]}</p>}
    </div>
  );
  return (
    <section class="mail-settings">
      <h1>{t('mail.settings')}</h1>
      <form onSubmit={(ev) => { ev.preventDefault(); save(); }}>
        {problem && <Notice kind="error">{problem}</Notice>}
        <fieldset>
          <legend>{t('mail.server')}</legend>
          {input('host', 'mail.host')}
          {input('port', 'mail.port', 'number')}
          <div class="field">
            <label for="ms-security">{t('mail.security')}</label>
            <select id="ms-security" value={val('security')} onChange={(ev) => set('security', ev.target.value)}>
              {['none', 'starttls', 'tls'].map((k) => <option value={k}>{t(`mail.sec.${k}`)}</option>)}
            </select>
          </div>
          {input('user', 'mail.user')}
          <div class={`field ${errors.password ? 'has-error' : ''}`}>
            <label for="ms-password">{t('mail.password')}</label>
            <input id="ms-password" type="password" value={v.password ?? ''} autocomplete="new-password"
              aria-describedby="ms-password-help" onInput={(ev) => set('password', ev.target.value)} />
            <p class="help" id="ms-password-help">{t(s.password_set ? 'mail.passwordSet' : 'mail.passwordUnset')}</p>
            {s.password_set && <button type="button" class="link" onClick={() => set('password', null)}>{t('mail.clearPassword')}</button>}
            {!s.secret_key && <Notice kind="warn">{t('mail.noKey')}</Notice>}
            {errors.password && <p class="field-error">{errors.password}</p>}
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('mail.sender')}</legend>
          {input('from_address', 'mail.fromAddress', 'email')}
          {input('from_name', 'mail.fromName')}
          <div class="field">
            <label><input type="checkbox" checked={val('per_user_from') === true}
              onChange={(ev) => set('per_user_from', ev.target.checked)} /> {t('mail.perUser')}</label>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('mail.delivery')}</legend>
          {NUMBERS.slice(1).map(([k, label]) => input(k, label, 'number'))}
        </fieldset>
        <div class="actions"><button type="submit" class="primary" disabled={busy}>{t('mail.save')}</button></div>
      </form>
      <form class="mail-test" onSubmit={(ev) => { ev.preventDefault(); sendTest(); }}>
        <h2>{t('mail.test')}</h2>
        <div class="field">
          <label for="ms-test">{t('mail.testTo')}</label>
          <input id="ms-test" type="email" value={testTo} onInput={(ev) => setTestTo(ev.target.value)} />
        </div>
        <div class="actions"><button type="submit">{t('mail.testSend')}</button></div>
        {test && <Notice kind={test.ok ? 'info' : 'error'}>{test.text}</Notice>}
      </form>
    </section>
  );
}
