// Field display and input by metadata type. Every input has a label (the caller
// passes the id), values are kept in API form (money and dates as strings).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { Link, recordPath } from './router.js';
import { entityMeta, isPerson, recordTitle, rememberTitle, searchable, useAll, useTitle } from './state.js';
import { entityLabel, enumLabel, fieldLabel, formatDate, formatDateTime, formatMoney, formatNumber, roleLabel, sentence, t } from './i18n.js';

// Implicit reference columns every record has.
export const SYSTEM_REFS = { owner_id: 'users', created_by: 'users' };
export const refOf = (f) => f.ref || SYSTEM_REFS[f.name];
export const SMALL = new Set(['users', 'teams', 'pipeline_stages']);

// A string field X_id beside an enum X_type whose values name entities (activities'
// related_id/related_type) is a reference to the entity the record names.
export function effectiveField(f, values) {
  if (f.type !== 'string' || !f.name.endsWith('_id')) return f;
  const target = values[`${f.name.slice(0, -3)}_type`];
  return target && entityMeta(target) ? { ...f, type: 'ref', ref: target, maxlen: undefined } : f;
}

export function RefName({ entity, id }) {
  const title = useTitle(entity, id);
  if (!id) return null;
  if (title === undefined) return <span class="muted">…</span>;
  if (title === null) return <span class="muted">{id.slice(0, 8)}</span>;
  return <Link href={recordPath(entity, id)}>{title}</Link>;
}

// What a record of e on another record's card (home: {entity, id} — an activity on an
// account's) is about, when that is not the home record itself: "re: Opportunity Big
// Order", "with Ana Li (contact)" for a person; after `sep` when given. Nothing for the
// home record's own.
export function About({ e, record, home, sep = '' }) {
  const f = e.fields.find((x) => x.type === 'string' && effectiveField(x, record) !== x);
  const target = f && effectiveField(f, record).ref, id = f && record[f.name];
  if (!target || (target === home.entity && id === home.id)) return null;
  const re = entityMeta(target);
  const name = <RefName entity={target} id={id} />;
  return (
    <span class="about">{sep}{isPerson(re) ? sentence('about.with', { name, entity: entityLabel(re, false).toLowerCase() })
      : sentence('about.re', { name, entity: entityLabel(re, false) })}</span>
  );
}

// An enum value as shown: for an enum whose values are the keys of records
// (enum_source: users' role names a role), that record's name when it can be read.
function SourcedName({ source, value }) {
  const rows = useAll(source);
  const r = (rows || []).find((x) => x.key === value);
  if (!r) return enumLabel(null, value);
  return source === 'roles' ? roleLabel(r) : recordTitle(entityMeta(source), r);
}
export function EnumName({ field: f, value }) {
  return f.enum_source && entityMeta(f.enum_source) ? <SourcedName source={f.enum_source} value={value} /> : enumLabel(f, value);
}

export function FieldValue({ field, record: r }) {
  const f = effectiveField(field, r);
  const v = r[f.name];
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return <span class="muted">—</span>;
  const ref = refOf(f);
  switch (f.type) {
    case 'money': return <span class="num">{formatMoney(v, r.currency)}</span>;
    case 'int': return <span class="num">{formatNumber(v)}</span>;
    case 'percent': return <span class="num">{formatNumber(v)}%</span>;
    case 'date': return formatDate(v);
    case 'datetime': return formatDateTime(v);
    case 'bool': return v ? t('yes') : t('no');
    case 'enum': return <EnumName field={f} value={v} />;
    case 'multi_enum': return v.map((x) => enumLabel(f, x)).join(', ');
    case 'email': return <a href={`mailto:${v}`}>{v}</a>;
    case 'phone': return <a href={`tel:${v}`}>{v}</a>;
    case 'url': return /^https?:\/\//i.test(v) ? <a href={v} rel="noopener noreferrer" target="_blank">{v}</a> : v;
    case 'multi_ref': return <span>{v.map((id, i) => <>{i ? ', ' : ''}<RefName entity={f.ref} id={id} /></>)}</span>;
    case 'json': return <code>{JSON.stringify(v)}</code>;
    case 'text': return <span class="pre">{v}</span>;
    default:
      if (ref) return <RefName entity={ref} id={v} />;
      return String(v);
  }
}

// "2026-11-23T13:00:00.000Z" ↔ the value of <input type=datetime-local> in local time.
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
export function fromLocalInput(s) { return s ? new Date(s).toISOString() : ''; }

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// Client-side checks mirroring the server's; the server still decides.
export function validate(f, v) {
  const empty = v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length);
  if (empty) return f.required && f.type !== 'bool' ? t('form.required') : null;
  if (f.maxlen && typeof v === 'string' && [...v].length > f.maxlen) return t('form.tooLong', { n: f.maxlen });
  if (f.type === 'email' && !EMAIL_RE.test(v)) return t('form.email');
  if ((f.type === 'int' || f.type === 'percent') && !/^-?\d+$/.test(String(v))) return t('form.number');
  if (f.type === 'money' && !/^-?\d+(\.\d{1,2})?$/.test(String(v).trim())) return t('form.number');
  if (f.min !== undefined && (Number(v) < Number(f.min) || Number(v) > Number(f.max))) {
    return t('form.range', { min: f.min, max: f.max });
  }
  return null;
}

// A reference's input: a select for small entities (users, teams, stages; f.only(list)
// narrows the choice), a search box for the others.
function RefPicker({ id, field: f, value, onChange, invalid }) {
  const entity = refOf(f);
  const small = SMALL.has(entity);
  const all = useAll(small ? entity : null);
  const [text, setText] = useState('');
  const [options, setOptions] = useState([]);
  const [open, setOpen] = useState(false);
  const title = useTitle(entity, value);
  const seq = useRef(0);
  useEffect(() => {
    if (small || !searchable(text)) { setOptions([]); return; }
    const n = ++seq.current;
    const e = entityMeta(entity);
    const timer = setTimeout(() => {
      api.get(`/${entity}`, { q: text.trim(), limit: 10 }).then((r) => {
        if (n === seq.current) setOptions(r.data.map((rec) => ({ id: rec.id, title: recordTitle(e, rec) })));
      }).catch(() => {});
    }, 150);
    return () => clearTimeout(timer);
  }, [text]);
  if (small) {
    const e = entityMeta(entity);
    return (
      <select id={id} value={value || ''} aria-invalid={invalid} onChange={(ev) => onChange(ev.target.value)}>
        <option value="">{t('form.choose')}</option>
        {(f.only ? f.only(all || []) : all || []).filter((r) => r.active !== false || r.id === value)
          .map((r) => <option value={r.id}>{recordTitle(e, r)}</option>)}
      </select>
    );
  }
  if (value && !open) {
    return (
      <div class="refpick">
        <span>{title ?? '…'}</span>
        <button type="button" class="link" aria-label={`${t('rec.edit')} ${fieldLabel(f)}`} onClick={() => { setOpen(true); setText(''); }}>✎</button>
        <button type="button" class="link" aria-label={t('close')} onClick={() => onChange('')}>×</button>
      </div>
    );
  }
  return (
    <div class="refpick">
      <input id={id} type="search" value={text} autocomplete="off" aria-invalid={invalid}
        onInput={(ev) => setText(ev.target.value)} />
      {options.length > 0 && (
        <ul class="options" role="listbox">
          {options.map((o) => (
            <li><button type="button" role="option" onClick={() => {
              rememberTitle(entity, o.id, o.title); onChange(o.id); setOpen(false); setOptions([]);
            }}>{o.title}</button></li>
          ))}
        </ul>
      )}
    </div>
  );
}

function MultiRef({ id, field: f, value, onChange }) {
  const small = SMALL.has(f.ref);
  const all = useAll(small ? f.ref : null);
  const e = entityMeta(f.ref);
  const v = value || [];
  if (!e) return null;
  if (!small) {
    return (
      <div class="chips">
        {v.map((x) => (
          <span class="chip"><RefName entity={f.ref} id={x} />
            <button type="button" class="link" aria-label={t('close')} onClick={() => onChange(v.filter((y) => y !== x))}>×</button></span>
        ))}
        <RefPicker id={id} field={f} value="" onChange={(x) => x && !v.includes(x) && onChange([...v, x])} />
      </div>
    );
  }
  return (
    <fieldset id={id} class="checks">
      <legend class="sr-only">{fieldLabel(f)}</legend>
      {(all || []).filter((r) => r.active !== false || v.includes(r.id)).map((r) => (
        <label><input type="checkbox" checked={v.includes(r.id)}
          onChange={(ev) => onChange(ev.target.checked ? [...v, r.id] : v.filter((x) => x !== r.id))} /> {recordTitle(e, r)}</label>
      ))}
    </fieldset>
  );
}

// describedBy: the id of the field's help text, when it has one.
export function FieldInput({ id, field: f, value, onChange, invalid = false, describedBy }) {
  const common = { id, 'aria-invalid': invalid, 'aria-describedby': describedBy, required: f.required && f.type !== 'bool' };
  const str = value === null || value === undefined ? '' : String(value);
  const onInput = (ev) => onChange(ev.target.value);
  switch (f.type) {
    case 'enum':
      return (
        <select {...common} value={str} onChange={onInput}>
          <option value="">{t('form.choose')}</option>
          {(f.enum || []).map((x) => <option value={x}><EnumName field={f} value={x} /></option>)}
        </select>
      );
    case 'multi_enum':
      return (
        <select {...common} multiple value={value || []}
          onChange={(ev) => onChange([...ev.target.selectedOptions].map((o) => o.value))}>
          {(f.enum || []).map((x) => <option value={x}>{enumLabel(f, x)}</option>)}
        </select>
      );
    case 'bool':
      return <input {...common} type="checkbox" checked={value === true || value === 'true'} onChange={(ev) => onChange(ev.target.checked)} />;
    case 'text':
      return <textarea {...common} rows={4} value={str} onInput={onInput} />;
    case 'json':
      return <textarea {...common} rows={3} value={typeof value === 'string' ? value : value ? JSON.stringify(value) : ''} onInput={onInput} />;
    case 'date':
      return <input {...common} type="date" value={str} onInput={onInput} />;
    case 'datetime':
      return <input {...common} type="datetime-local" value={toLocalInput(value)} onInput={(ev) => onChange(fromLocalInput(ev.target.value))} />;
    case 'int': case 'percent':
      return <input {...common} type="number" step="1" min={f.min} max={f.max} value={str} onInput={onInput} />;
    case 'money':
      return <input {...common} type="text" inputmode="decimal" value={str} onInput={onInput} />;
    case 'email':
      return <input {...common} type="email" value={str} onInput={onInput} />;
    case 'phone':
      return <input {...common} type="tel" value={str} onInput={onInput} />;
    case 'url':
      return <input {...common} type="url" value={str} onInput={onInput} />;
    case 'password':
      return <input {...common} type="password" autocomplete="new-password" value={str} onInput={onInput} />;
    case 'ref':
      return <RefPicker id={id} field={f} value={value} onChange={onChange} invalid={invalid} />;
    case 'multi_ref':
      return <MultiRef id={id} field={f} value={value} onChange={onChange} />;
    default:
      return <input {...common} type="text" maxlength={f.maxlen} value={str} onInput={onInput} />;
  }
}

// The fields a form shows: writable ones (plus passwords on create only).
// Whether f shows for a record with these values: a field shown only for one value of
// another (shown_when in /meta: a call's direction) waits for it.
export function shownFor(f, values) {
  const w = f.shown_when;
  return !w || String(values[w.field] ?? '') === w.value;
}

export function formFields(e, creating) {
  return e.fields.filter((f) => !f.readonly && (f.type !== 'password' || creating));
}

// Groups fields into [group, fields] in metadata order.
export function groupFields(fields) {
  const out = new Map();
  for (const f of fields) {
    if (!out.has(f.group)) out.set(f.group, []);
    out.get(f.group).push(f);
  }
  return [...out];
}
