// Create and edit forms rendered from metadata. Client checks run first; the server's
// answer is then shown where it belongs: 422 beside the fields, 409 duplicates with
// links and "create anyway", 409 meeting conflicts with "save anyway", 412 with a
// reload that keeps what was typed. Nothing typed is lost on an error.
import { useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { effectiveField, FieldInput, formFields, groupFields, RefName, shownFor, validate } from './fields.jsx';
import { entityLabel, fieldLabel, formatDateTime, groupLabel, t } from './i18n.js';
import { FIELD_EDITORS } from './mod/index.js';
import { Link, recordPath } from './router.js';
import { forget, recordTitle } from './state.js';
import { errorText, Notice } from './ui.jsx';

function initialValues(e, record, initial) {
  const v = {};
  for (const f of formFields(e, !record)) {
    if (record) v[f.name] = record[f.name];
    else if (initial && initial[f.name] !== undefined) v[f.name] = initial[f.name];
    else if (f.default !== undefined) v[f.name] = f.type === 'bool' ? f.default === 'true' : f.default;
    else v[f.name] = f.type === 'multi_ref' || f.type === 'multi_enum' ? [] : '';
  }
  return v;
}

const same = (a, b) => JSON.stringify(a ?? '') === JSON.stringify(b ?? '');

// The request body: on create every non-empty value, on edit only what changed.
function bodyOf(e, values, record) {
  const body = {};
  for (const f of formFields(e, !record)) {
    let v = values[f.name];
    if (f.type === 'json' && typeof v === 'string' && v.trim()) {
      try { v = JSON.parse(v); } catch { /* the server reports it */ }
    }
    if (record) {
      if (!same(v, record[f.name])) body[f.name] = v ?? '';
    } else if (!(v === '' || v === null || v === undefined || (Array.isArray(v) && !v.length))) {
      body[f.name] = v;
    }
  }
  return body;
}

// mergeWith: the id of the record being edited: each look-alike links to the merge
// screen with it.
export function Duplicates({ e, list, onAnyway, anywayLabel, mergeWith }) {
  return (
    <div class="notice warn stack" role="alert">
      <p>{t('form.dupTitle')}</p>
      <ul class="dups">
        {list.map((d) => (
          <li>
            <a href={recordPath(e.name, d.id)} target="_blank" rel="noopener">{recordTitle(e, d.record) || d.id}</a>
            {d.record?.owner_id && <> · {t('dup.owner')} <RefName entity="users" id={d.record.owner_id} /></>}
            {' '}<span class="muted">({(d.reasons || []).map((r) => t('form.reasons', { r: t(`dup.reason.${r}`) })).join(', ')})</span>
            {mergeWith && <> <Link href={`/merge?entity=${e.name}&ids=${mergeWith},${d.id}`}>{t('form.dupMerge')}</Link></>}
          </li>
        ))}
      </ul>
      <button type="button" onClick={onAnyway}>{anywayLabel}</button>
    </div>
  );
}

// A conflict the user may read links to the meeting and names its owner; one they may
// not is only "busy" and its times.
export function Conflicts({ list, onAnyway }) {
  return (
    <div class="notice warn stack" role="alert">
      <p>{t('form.conflictTitle')}</p>
      <ul>
        {list.map((c) => (
          <li>
            {c.id ? <a href={recordPath('activities', c.id)} target="_blank" rel="noopener">{c.subject || c.id}</a> : t('form.busy')}
            : {formatDateTime(c.start_at)} – {formatDateTime(c.end_at)}
            {c.owner_id && <> · {t('dup.owner')} <RefName entity="users" id={c.owner_id} /></>}
          </li>
        ))}
      </ul>
      <button type="button" onClick={onAnyway}>{t('form.conflictAnyway')}</button>
    </div>
  );
}

// Whole numbers travel as JSON numbers (the API refuses "3" for an int): inputs give text.
function numbers(e, body) {
  const whole = (k) => ['int', 'percent'].includes(e.fields.find((f) => f.name === k)?.type);
  return Object.fromEntries(Object.entries(body).map(([k, v]) =>
    [k, whole(k) && typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v]));
}

// Sends a create or update; resolves with the saved record or rejects with ApiError.
export function saveRecord(e, record, body, flags = {}) {
  body = numbers(e, body);
  const query = {};
  if (flags.allowDuplicate) query.allow_duplicate = 'true';
  if (flags.allowConflict) query.allow_conflict = 'true';
  const saved = record
    ? api.patch(`/${e.name}/${record.id}`, body, { version: record.version, query })
    : api.post(`/${e.name}`, body, query);
  return saved.then((r) => { forget(e.name); return r; }); // cached user/team lists are stale now
}

export function RecordForm({ e, record, initial, onSaved, onCancel }) {
  const [base, setBase] = useState(record);
  const [values, setValues] = useState(() => initialValues(e, record, initial));
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null); // ApiError
  const [busy, setBusy] = useState(false);
  const fields = formFields(e, !record);
  // Fields a module edits with an editor of its own (mod/index.js).
  const editors = FIELD_EDITORS.filter((x) => x.entity === e.name);
  const owned = new Set(editors.flatMap((x) => x.fields));

  const set = (name, v) => {
    setValues((old) => ({ ...old, [name]: v }));
    if (errors[name]) setErrors((old) => ({ ...old, [name]: null }));
  };

  async function submit(flags = {}) {
    const errs = {};
    for (const f of fields) {
      const msg = validate(f, values[f.name]);
      if (msg) errs[f.name] = msg;
    }
    setErrors(errs);
    if (Object.values(errs).some(Boolean)) {
      setProblem(null);
      document.getElementById(`f-${Object.keys(errs).find((k) => errs[k])}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const saved = await saveRecord(e, base, bodyOf(e, values, base), flags);
      setProblem(null);
      onSaved(saved);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setProblem(err);
      if (err.status === 422) setErrors(err.fields);
    } finally {
      setBusy(false);
    }
  }

  // 412: load the current version and keep every value the user changed on top of it.
  async function reload() {
    const fresh = await api.get(`/${e.name}/${base.id}`);
    const mine = bodyOf(e, values, base);
    setValues({ ...initialValues(e, fresh), ...mine });
    setBase(fresh);
    setProblem(null);
  }

  const p = problem?.problem || {};
  const idBase = record ? `edit-${e.name}` : `new-${e.name}`;
  return (
    <form class="record-form" noValidate aria-labelledby={`${idBase}-h`}
      onSubmit={(ev) => { ev.preventDefault(); submit(); }}>
      <h1 id={`${idBase}-h`}>{t(record ? 'form.edit' : 'form.new', { entity: entityLabel(e, false) })}</h1>
      {problem?.status === 409 && p.duplicates && (
        <Duplicates e={e} list={p.duplicates} anywayLabel={t(record ? 'form.dupSaveAnyway' : 'form.dupAnyway')}
          onAnyway={() => submit({ allowDuplicate: true })} />
      )}
      {problem?.status === 409 && p.conflicts && <Conflicts list={p.conflicts} onAnyway={() => submit({ allowConflict: true })} />}
      {problem?.status === 412 && (
        <Notice kind="warn">{t('rec.stale')} <button type="button" onClick={reload}>{t('rec.reload')}</button></Notice>
      )}
      {problem?.status === 422 && <Notice kind="error">{t('form.invalid')} {p.detail}</Notice>}
      {problem && ![409, 412, 422].includes(problem.status) && <Notice kind="error">{errorText(problem)}</Notice>}
      {problem?.status === 409 && !p.duplicates && !p.conflicts && <Notice kind="error">{errorText(problem)}</Notice>}
      {Object.values(errors).some(Boolean) && problem?.status !== 422 && <Notice kind="error">{t('form.invalid')}</Notice>}
      {groupFields(fields.filter((f) => shownFor(f, values) && !owned.has(f.name))).map(([group, fs]) => (
        <fieldset class="panel">
          <legend>{groupLabel(e, group)}</legend>
          <div class="grid">
            {fs.map((f) => (
              <div class={`field ${f.type === 'text' ? 'wide' : ''} ${errors[f.name] ? 'has-error' : ''}`}>
                <label for={`f-${f.name}`}>{fieldLabel(f)}{f.required && f.type !== 'bool' ? <span aria-hidden="true"> *</span> : null}</label>
                <FieldInput id={`f-${f.name}`} field={effectiveField(f, values)} value={values[f.name]} invalid={!!errors[f.name]}
                  onChange={(v) => set(f.name, v)} describedBy={f.help ? `f-${f.name}-help` : undefined} />
                {f.help && <p class="help" id={`f-${f.name}-help`}>{f.help}</p>}
                {errors[f.name] && <p class="field-error" id={`f-${f.name}-err`}>{fieldLabel(f)} {errors[f.name]}</p>}
              </div>
            ))}
          </div>
        </fieldset>
      ))}
      {editors.map((x) => (
        <fieldset class="panel">
          <legend>{groupLabel(e, x.group)}</legend>
          <x.component values={values} set={set} errors={errors} record={base} />
        </fieldset>
      ))}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('rec.save')}</button>
        <button type="button" onClick={onCancel}>{t('rec.cancel')}</button>
      </div>
    </form>
  );
}
