// The inputs of one field definition (POST/PATCH /meta/entities/{entity}/fields and the
// fields of POST /meta/entities): name and type, labels in both languages, help, flags,
// and what the type asks for — enum values, the entity referred to, bounds of numbers,
// the length of texts, a default. Shared by the Fields and the Entities screens.
import { useState } from 'preact/hooks';
import { enumLabel, entityLabel, t } from '../../i18n.js';
import { session } from '../../state.js';

export const TYPES = ['string', 'text', 'email', 'phone', 'url', 'int', 'money', 'percent', 'date', 'datetime',
  'bool', 'enum', 'multi_enum', 'ref', 'multi_ref', 'json', 'password'];
const STRINGISH = new Set(['string', 'text', 'email', 'phone', 'url']);
const NUMERIC = new Set(['int', 'money', 'percent']);
const ENUMISH = new Set(['enum', 'multi_enum']);
const REFISH = new Set(['ref', 'multi_ref']);
const NO_DEFAULT = new Set(['multi_enum', 'multi_ref', 'ref', 'json', 'password']);
const NO_INDEX = new Set(['multi_enum', 'multi_ref', 'json', 'password', 'text']);
const FLAGS = ['required', 'unique', 'indexed', 'searchable', 'list'];

// The flags a type takes (the server refuses the others).
export function flagsOf(type) {
  return FLAGS.filter((k) => (k === 'searchable' ? STRINGISH.has(type) : k === 'unique' || k === 'indexed' ? !NO_INDEX.has(type) : true));
}

// The types a field may change to: a one-line text to a long one, nothing else.
export function typesFrom(type) {
  return ['string', 'email', 'phone', 'url'].includes(type) ? [...new Set([type, 'string', 'text'])] : [type];
}

export const emptyDef = () => ({
  name: '', type: 'string', label: '', label_zh: '', help: '', required: false, unique: false, indexed: false,
  searchable: false, list: false, default: '', min: '', max: '', maxlen: '', enum_values: [], ref_entity: '',
});

// A field of /meta as a definition to edit (/meta says enum and ref where a definition
// says enum_values and ref_entity).
export function defOf(f) {
  return {
    ...emptyDef(), name: f.name, type: f.type, label: f.label || '', label_zh: f.label_zh || '', help: f.help || '',
    required: !!f.required, unique: !!f.unique, indexed: !!f.indexed, searchable: !!f.searchable, list: !!f.list,
    default: f.default ?? '', min: f.min ?? '', max: f.max ?? '', maxlen: f.maxlen ?? '', enum_values: f.enum || [],
    ref_entity: f.ref || '',
  };
}

// The request body of a definition: on create every member the type takes and the user
// filled; on change (base: the definition before) only what changed.
export function bodyOfDef(d, base) {
  const out = {};
  const put = (k, v) => { if (!base || JSON.stringify(v) !== JSON.stringify(base[k])) out[k] = v; };
  if (!base) { out.name = d.name.trim(); out.type = d.type; } else if (d.type !== base.type) out.type = d.type;
  for (const k of ['label', 'label_zh', 'help']) {
    const v = d[k].trim();
    if (base) put(k, v); else if (v) out[k] = v;
  }
  for (const k of flagsOf(d.type)) if (base ? d[k] !== base[k] : d[k]) out[k] = d[k];
  if (ENUMISH.has(d.type)) put('enum_values', d.enum_values);
  if (REFISH.has(d.type) && !base) out.ref_entity = d.ref_entity;
  if (NUMERIC.has(d.type)) {
    for (const k of ['min', 'max']) {
      const v = String(d[k]).trim();
      if (v && (!base || v !== String(base[k]))) out[k] = v;
    }
  }
  if (STRINGISH.has(d.type)) {
    const v = String(d.maxlen).trim();
    if (v && (!base || v !== String(base.maxlen))) out.maxlen = Number(v);
  }
  if (!NO_DEFAULT.has(d.type)) {
    const v = String(d.default).trim();
    if (base) { if (v !== String(base.default)) out.default = v || null; } else if (v) out.default = v;
  }
  return out;
}

// Client checks mirroring the server's: {member: message}.
export function checkDef(d, creating) {
  const errs = {};
  if (creating && !/^[a-z][a-z0-9_]{1,39}$/.test(d.name.trim())) errs.name = t('fd.nameRule');
  if (!d.label.trim()) errs.label = t('form.required');
  if (ENUMISH.has(d.type) && !d.enum_values.length) errs.enum_values = t('fd.valuesNeeded');
  if (REFISH.has(d.type) && creating && !d.ref_entity) errs.ref_entity = t('form.required');
  if (STRINGISH.has(d.type) && String(d.maxlen).trim() && !/^\d+$/.test(String(d.maxlen).trim())) errs.maxlen = t('form.number');
  return errs;
}

function EnumValues({ id, values, onChange, invalid }) {
  const [text, setText] = useState('');
  const add = () => {
    const v = text.trim();
    if (v && !values.includes(v) && !v.includes(',')) onChange([...values, v]);
    setText('');
  };
  return (
    <div class="enum-values">
      <ul class="chips">
        {values.map((v) => (
          <li class="chip">{enumLabel(null, v)} <code class="muted small">{v}</code>
            <button type="button" class="link" aria-label={t('fd.removeValue', { v })}
              onClick={() => onChange(values.filter((x) => x !== v))}>×</button></li>
        ))}
      </ul>
      <div class="inline">
        <input id={id} value={text} aria-invalid={invalid} placeholder={t('fd.newValue')}
          onInput={(ev) => setText(ev.target.value)}
          onKeyDown={(ev) => { if (ev.key === 'Enter') { ev.preventDefault(); add(); } }} />
        <button type="button" onClick={add}>{t('fd.addValue')}</button>
      </div>
    </div>
  );
}

function DefaultInput({ id, d, onChange }) {
  const set = (ev) => onChange(ev.target.value);
  if (d.type === 'bool') {
    return (
      <select id={id} value={String(d.default)} onChange={set}>
        <option value="">{t('fd.noDefault')}</option>
        <option value="true">{t('yes')}</option>
        <option value="false">{t('no')}</option>
      </select>
    );
  }
  if (d.type === 'enum') {
    return (
      <select id={id} value={d.default} onChange={set}>
        <option value="">{t('fd.noDefault')}</option>
        {d.enum_values.map((v) => <option value={v}>{enumLabel(null, v)}</option>)}
      </select>
    );
  }
  const type = d.type === 'date' ? 'date' : 'text';
  return <input id={id} type={type} value={d.default} onInput={set} />;
}

// idp: a prefix making the inputs' ids unique on the page; creating: a new field (its
// name, type and reference can be chosen); errors: {member: message}.
export function FieldDefInputs({ idp, d, onChange, errors = {}, creating, legend, children }) {
  const set = (k) => (v) => onChange({ ...d, [k]: v });
  const val = (k) => (ev) => set(k)(ev.target.type === 'checkbox' ? ev.target.checked : ev.target.value);
  const id = (k) => `${idp}-${k}`;
  const row = (k, label, input, wide) => (
    <div class={`field ${wide ? 'wide' : ''} ${errors[k] ? 'has-error' : ''}`}>
      <label for={id(k)}>{label}</label>
      {input}
      {errors[k] && <p class="field-error" id={`${id(k)}-err`}>{label} {errors[k]}</p>}
    </div>
  );
  const text = (k, label, extra = {}) => row(k, label,
    <input id={id(k)} value={d[k]} aria-invalid={!!errors[k]} onInput={val(k)} {...extra} />);
  const types = creating ? TYPES : typesFrom(d.type);
  const targets = session.meta.entities;
  return (
    <fieldset class="panel fielddef">
      <legend>{legend}</legend>
      <div class="grid">
        {creating ? text('name', t('fd.name'), { autocomplete: 'off', spellcheck: false, placeholder: 'region' })
          : <div class="field"><span class="label">{t('fd.name')}</span><code>{d.name}</code></div>}
        {types.length > 1 ? row('type', t('fd.type'), (
          <select id={id('type')} value={d.type} aria-invalid={!!errors.type} onChange={val('type')}>
            {types.map((x) => <option value={x}>{t(`type.${x}`)}</option>)}
          </select>
        )) : <div class="field"><span class="label">{t('fd.type')}</span><span>{t(`type.${d.type}`)}</span></div>}
        {text('label', t('fd.label'))}
        {text('label_zh', t('fd.labelZh'), { lang: 'zh-CN' })}
        {row('help', t('fd.help'), <input id={id('help')} value={d.help} aria-invalid={!!errors.help} onInput={val('help')} />, true)}
        {REFISH.has(d.type) && (creating ? row('ref_entity', t('fd.refEntity'), (
          <select id={id('ref_entity')} value={d.ref_entity} aria-invalid={!!errors.ref_entity} onChange={val('ref_entity')}>
            <option value="">{t('form.choose')}</option>
            {targets.map((e) => <option value={e.name}>{entityLabel(e)}</option>)}
          </select>
        )) : <div class="field"><span class="label">{t('fd.refEntity')}</span><span>{d.ref_entity}</span></div>)}
        {ENUMISH.has(d.type) && row('enum_values', t('fd.values'),
          <EnumValues id={id('enum_values')} values={d.enum_values} invalid={!!errors.enum_values} onChange={set('enum_values')} />, true)}
        {NUMERIC.has(d.type) && text('min', t('fd.min'), { inputmode: 'decimal' })}
        {NUMERIC.has(d.type) && text('max', t('fd.max'), { inputmode: 'decimal' })}
        {STRINGISH.has(d.type) && text('maxlen', t('fd.maxlen'), { inputmode: 'numeric' })}
        {!NO_DEFAULT.has(d.type) && row('default', t('fd.default'), <DefaultInput id={id('default')} d={d} onChange={set('default')} />)}
      </div>
      <fieldset class="checks">
        <legend class="sr-only">{t('fd.flags')}</legend>
        {flagsOf(d.type).map((k) => (
          <label><input type="checkbox" id={id(k)} checked={d[k]} onChange={val(k)} /> {t(`fd.flag.${k}`)}</label>
        ))}
      </fieldset>
      {flagsOf(d.type).filter((k) => errors[k]).map((k) => <p class="field-error">{t(`fd.flag.${k}`)}: {errors[k]}</p>)}
      {children}
    </fieldset>
  );
}
