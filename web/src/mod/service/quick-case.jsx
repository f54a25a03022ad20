// "New case" from the customer card, a record panel of accounts: three fields — the
// subject, the type and the priority — with the account filled in from the card;
// keyboard first: the subject has the focus, Ctrl+Enter saves, Esc closes. The new case
// opens once saved.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { FieldInput, validate } from '../../fields.jsx';
import { fieldLabel, t } from '../../i18n.js';
import { navigate, recordPath } from '../../router.js';
import { entityMeta, recordTitle } from '../../state.js';
import { errorText, flash, Notice } from '../../ui.jsx';
import { AgreementCheck } from './agreement.jsx';

const FIELDS = ['subject', 'type', 'priority'];

export function QuickCase({ e, record }) {
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
  return <CaseForm cases={cases} account={record} name={recordTitle(e, record)} onClose={() => setOpen(false)} />;
}

function CaseForm({ cases, account, name, onClose }) {
  const fields = FIELDS.map((n) => ({ ...cases.fields.find((f) => f.name === n), required: true }));
  const [v, setV] = useState(Object.fromEntries(fields.map((f) => [f.name, f.default ?? ''])));
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const form = useRef(null);
  useEffect(() => { form.current?.querySelector('input, select')?.focus(); }, []);

  async function save() {
    const errs = {};
    for (const f of fields) { const m = validate(f, v[f.name]); if (m) errs[f.name] = m; }
    setErrors(errs);
    if (Object.keys(errs).length || busy) return;
    setBusy(true); setProblem(null);
    try {
      const r = await api.post('/cases', { ...v, account_id: account.id });
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
  return (
    <form ref={form} class="card quick-case" aria-label={t('svc.newTitle', { name })} onKeyDown={keys}
      onSubmit={(ev) => { ev.preventDefault(); save(); }}>
      <h2>{t('svc.newTitle', { name })}</h2>
      {problem && <Notice kind="error">{problem}</Notice>}
      <AgreementCheck account={account} />
      {fields.map((f) => (
        <div class="field">
          <label for={`qc-${f.name}`}>{fieldLabel(f)}</label>
          <FieldInput id={`qc-${f.name}`} field={f} value={v[f.name]} invalid={!!errors[f.name]}
            onChange={(x) => setV({ ...v, [f.name]: x })} />
          {errors[f.name] && <p class="error">{errors[f.name]}</p>}
        </div>
      ))}
      <p class="muted"><kbd>Ctrl+Enter</kbd> {t('svc.saves')} · <kbd>Esc</kbd> {t('svc.closes')}</p>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('svc.save')}</button>
        <button type="button" onClick={onClose}>{t('svc.cancel')}</button>
      </div>
    </form>
  );
}
