// Administration › Entities: the custom entities, and a form creating one with its
// first fields (POST /meta/entities). Its permissions start as those every role has on
// the entity named by "permissions like"; the new entity is in the navigation as soon
// as the metadata is reloaded.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { entityLabel, t } from '../../i18n.js';
import { Link, listPath } from '../../router.js';
import { entityMeta, reloadMeta, session } from '../../state.js';
import { errorText, Notice } from '../../ui.jsx';
import { bodyOfDef, checkDef, emptyDef, FieldDefInputs } from './field-def.jsx';

const firstField = () => ({ ...emptyDef(), name: 'name', label: 'Name', label_zh: '名称', required: true, list: true });
const blank = () => ({ name: '', label: '', label_plural: '', label_zh: '', label_plural_zh: '', permissions_like: 'accounts' });

// Splits the server's field errors: the entity's own members, and fields[n].member.
function splitErrors(errors) {
  const own = {};
  const fields = [];
  for (const [k, v] of Object.entries(errors)) {
    const m = /^fields\[(\d+)\]\.(.+)$/.exec(k);
    if (m) (fields[Number(m[1])] ||= {})[m[2]] = v;
    else own[k] = v;
  }
  return { own, fields };
}

function EntityForm({ onDone, onCancel }) {
  const [ent, setEnt] = useState(blank);
  const [defs, setDefs] = useState(() => [firstField()]);
  const [errors, setErrors] = useState({ own: {}, fields: [] });
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (ev) => setEnt({ ...ent, [k]: ev.target.value });

  // Client checks: the entity's members, each field's, and field names used twice.
  function check() {
    const own = {};
    if (!/^[a-z][a-z0-9_]{1,39}$/.test(ent.name.trim())) own.name = t('fd.nameRule');
    else if (entityMeta(ent.name.trim())) own.name = t('ents.taken');
    for (const k of ['label', 'label_plural']) if (!ent[k].trim()) own[k] = t('form.required');
    const seen = new Set();
    const fields = defs.map((d) => {
      const e = checkDef(d, true);
      if (!e.name && seen.has(d.name.trim())) e.name = t('ents.twice');
      seen.add(d.name.trim());
      return e;
    });
    return { own, fields };
  }

  async function submit(ev) {
    ev.preventDefault();
    const errs = check();
    setErrors(errs);
    if (Object.keys(errs.own).length || errs.fields.some((e) => Object.keys(e).length)) { setProblem(null); return; }
    setBusy(true);
    try {
      const body = { permissions_like: ent.permissions_like, fields: defs.map((d) => bodyOfDef(d, null)) };
      for (const k of ['name', 'label', 'label_plural', 'label_zh', 'label_plural_zh']) if (ent[k].trim()) body[k] = ent[k].trim();
      const made = await api.post('/meta/entities', body);
      await reloadMeta();
      onDone(made.name);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setProblem(err);
      if (err.status === 422) setErrors(splitErrors(err.fields));
    } finally {
      setBusy(false);
    }
  }

  const row = (k, label, extra = {}) => (
    <div class={`field ${errors.own[k] ? 'has-error' : ''}`}>
      <label for={`ent-${k}`}>{label}</label>
      <input id={`ent-${k}`} value={ent[k]} aria-invalid={!!errors.own[k]} onInput={set(k)} {...extra} />
      {errors.own[k] && <p class="field-error">{label} {errors.own[k]}</p>}
    </div>
  );
  const setDef = (i) => (d) => setDefs(defs.map((x, j) => (j === i ? d : x)));
  return (
    <form class="entity-form" noValidate onSubmit={submit} aria-labelledby="ent-form-h">
      <h3 id="ent-form-h">{t('ents.newTitle')}</h3>
      {problem?.status === 422 && <Notice kind="error">{t('form.invalid')}</Notice>}
      {problem && problem.status !== 422 && <Notice kind="error">{errorText(problem)}</Notice>}
      <fieldset class="panel">
        <legend>{t('ents.entity')}</legend>
        <div class="grid">
          {row('name', t('ents.name'), { autocomplete: 'off', spellcheck: false, placeholder: 'projects' })}
          {row('label', t('ents.label'))}
          {row('label_plural', t('ents.labelPlural'))}
          {row('label_zh', t('ents.labelZh'), { lang: 'zh-CN' })}
          {row('label_plural_zh', t('ents.labelPluralZh'), { lang: 'zh-CN' })}
          <div class={`field ${errors.own.permissions_like ? 'has-error' : ''}`}>
            <label for="ent-permissions_like">{t('ents.like')}</label>
            <select id="ent-permissions_like" value={ent.permissions_like} onChange={set('permissions_like')}>
              {session.meta.entities.map((e) => <option value={e.name}>{entityLabel(e)}</option>)}
            </select>
            <p class="help">{t('ents.likeHelp')}</p>
            {errors.own.permissions_like && <p class="field-error">{errors.own.permissions_like}</p>}
          </div>
        </div>
        {Object.entries(errors.own).filter(([k]) => !['name', 'label', 'label_plural', 'label_zh', 'label_plural_zh', 'permissions_like'].includes(k))
          .map(([k, v]) => <p class="field-error">{k}: {v}</p>)}
      </fieldset>
      {defs.map((d, i) => (
        <FieldDefInputs idp={`ef${i}`} d={d} onChange={setDef(i)} errors={errors.fields[i] || {}} creating
          legend={t('ents.fieldN', { n: i + 1 })}>
          {defs.length > 1 && (
            <button type="button" onClick={() => { setDefs(defs.filter((_, j) => j !== i)); setErrors({ ...errors, fields: [] }); }}>
              {t('ents.removeField', { n: i + 1 })}</button>
          )}
        </FieldDefInputs>
      ))}
      <div class="actions">
        <button type="button" onClick={() => setDefs([...defs, emptyDef()])}>{t('ents.addField')}</button>
        <button type="submit" class="primary" disabled={busy}>{t('ents.create')}</button>
        <button type="button" onClick={onCancel}>{t('rec.cancel')}</button>
      </div>
    </form>
  );
}

export function EntitiesAdmin() {
  const [creating, setCreating] = useState(false);
  const [made, setMade] = useState(null);
  const custom = session.meta.entities.filter((e) => e.custom);
  const madeE = made && entityMeta(made);
  return (
    <section class="entities-admin" aria-labelledby="ents-h">
      <div class="toolbar">
        <h2 id="ents-h">{t('ents.title')}</h2>
        {!creating && <button type="button" class="primary" onClick={() => { setCreating(true); setMade(null); }}>{t('ents.new')}</button>}
      </div>
      <p class="muted">{t('ents.note')}</p>
      {madeE && (
        <Notice onClose={() => setMade(null)}>
          {t('ents.created', { entity: entityLabel(madeE) })} <Link href={listPath(madeE.name)}>{t('ents.open', { entity: entityLabel(madeE) })}</Link>
        </Notice>
      )}
      {creating && <EntityForm onDone={(name) => { setCreating(false); setMade(name); }} onCancel={() => setCreating(false)} />}
      {custom.length ? (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{t('ents.labelPlural')}</th><th scope="col">{t('ents.name')}</th>
              <th scope="col">{t('ents.fields')}</th><th scope="col"><span class="sr-only">{t('fields.actions')}</span></th></tr></thead>
            <tbody>{custom.map((e) => (
              <tr>
                <th scope="row"><Link href={listPath(e.name)}>{entityLabel(e)}</Link></th>
                <td><code>{e.name}</code></td>
                <td>{e.fields.length}</td>
                <td><Link href={`/admin/fields/${e.name}`}>{t('ents.editFields', { entity: entityLabel(e) })}</Link></td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ) : <p>{t('ents.none')}</p>}
    </section>
  );
}
