// Administration › Fields: an entity's fields (built-in ones read-only, custom ones
// editable), adding a field with a form that follows its type, changing and removing
// custom fields (POST/PATCH/DELETE /meta/entities/{entity}/fields). After every change
// the metadata is reloaded, so the field is at once in lists, filters, forms and
// record pages.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { entityLabel, fieldLabel, t } from '../../i18n.js';
import { navigate } from '../../router.js';
import { entityMeta, reloadMeta, session } from '../../state.js';
import { errorText, Notice } from '../../ui.jsx';
import { bodyOfDef, checkDef, defOf, emptyDef, FieldDefInputs, flagsOf } from './field-def.jsx';

// Adds a field (field: none) or changes one; onDone(message) after the metadata reloaded.
function FieldForm({ e, field, onDone, onCancel }) {
  const base = field ? defOf(field) : null;
  const [d, setD] = useState(() => base || emptyDef());
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const idp = field ? `fe-${field.name}` : 'fnew';

  async function submit(ev) {
    ev.preventDefault();
    const errs = checkDef(d, !field);
    setErrors(errs);
    if (Object.keys(errs).length) {
      setProblem(null);
      document.getElementById(`${idp}-${Object.keys(errs)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const body = bodyOfDef(d, base);
      const saved = field
        ? await api.patch(`/meta/entities/${e.name}/fields/${field.name}`, body)
        : await api.post(`/meta/entities/${e.name}/fields`, body);
      await reloadMeta();
      onDone(t(field ? 'fields.changed' : 'fields.added', { field: fieldLabel(saved) }));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setProblem(err);
      if (err.status === 422) setErrors(err.fields);
    } finally {
      setBusy(false);
    }
  }

  const legend = field ? t('fields.editTitle', { field: fieldLabel(field) }) : t('fields.addTitle', { entity: entityLabel(e) });
  const known = new Set(['name', 'type', 'label', 'label_zh', 'help', 'ref_entity', 'enum_values', 'min', 'max', 'maxlen', 'default', ...flagsOf(d.type)]);
  const other = Object.entries(errors).filter(([k, v]) => v && !known.has(k));
  return (
    <form class="field-form" noValidate onSubmit={submit} aria-label={legend}>
      {problem?.status === 422 && <Notice kind="error">{t('form.invalid')} {other.map(([k, v]) => `${k}: ${v}`).join('; ')}</Notice>}
      {problem && problem.status !== 422 && <Notice kind="error">{errorText(problem)}</Notice>}
      <FieldDefInputs idp={idp} d={d} onChange={setD} errors={errors} creating={!field} legend={legend}>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>{field ? t('rec.save') : t('fields.add')}</button>
          <button type="button" onClick={onCancel}>{t('rec.cancel')}</button>
        </div>
      </FieldDefInputs>
    </form>
  );
}

function flagText(f) {
  return [...flagsOf(f.type).filter((k) => f[k]).map((k) => t(`fd.flag.${k}`)), ...(f.readonly ? [t('fd.readonly')] : [])].join(', ');
}

export function FieldsAdmin({ entity }) {
  const entities = session.meta.entities;
  const e = entityMeta(entity) || entityMeta('accounts') || entities[0];
  const [editing, setEditing] = useState(null); // null | '' (a new field) | a field's name
  const [notice, setNotice] = useState(null);
  const done = (text) => { setEditing(null); setNotice({ kind: 'info', text }); };

  async function remove(f) {
    if (!window.confirm(t('fields.removeConfirm', { field: fieldLabel(f) }))) return;
    try {
      await api.del(`/meta/entities/${e.name}/fields/${f.name}`);
      await reloadMeta();
      setNotice({ kind: 'info', text: t('fields.removed', { field: fieldLabel(f) }) });
    } catch (err) {
      setNotice({ kind: 'error', text: errorText(err) });
    }
  }
  const field = editing ? e.fields.find((f) => f.name === editing) : null;

  return (
    <section class="fields-admin" aria-labelledby="fields-h">
      <div class="toolbar">
        <h2 id="fields-h">{t('fields.title')}</h2>
        <label for="fields-entity">{t('fields.entity')}</label>
        <select id="fields-entity" value={e.name} onChange={(ev) => { setEditing(null); setNotice(null); navigate(`/admin/fields/${ev.target.value}`); }}>
          {entities.map((x) => <option value={x.name}>{entityLabel(x)}</option>)}
        </select>
        {editing === null && <button type="button" class="primary" onClick={() => setEditing('')}>{t('fields.addButton')}</button>}
      </div>
      <p class="muted">{t('fields.note')}</p>
      {notice && <Notice kind={notice.kind} onClose={() => setNotice(null)}>{notice.text}</Notice>}
      {editing === '' && <FieldForm e={e} key={`new-${e.name}`} onDone={done} onCancel={() => setEditing(null)} />}
      {field && <FieldForm e={e} field={field} key={`${e.name}.${field.name}`} onDone={done} onCancel={() => setEditing(null)} />}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('fd.label')}</th><th scope="col">{t('fd.name')}</th><th scope="col">{t('fd.type')}</th>
              <th scope="col">{t('fields.props')}</th><th scope="col">{t('fields.kind')}</th><th scope="col"><span class="sr-only">{t('fields.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {e.fields.map((f) => (
              <tr>
                <th scope="row">{fieldLabel(f)}{f.help && <p class="muted small">{f.help}</p>}</th>
                <td><code>{f.name}</code></td>
                <td>{t(`type.${f.type}`)}{f.ref ? ` → ${entityMeta(f.ref) ? entityLabel(entityMeta(f.ref)) : f.ref}` : ''}
                  {f.enum && f.custom ? <span class="muted small"> ({f.enum.join(', ')})</span> : null}</td>
                <td>{flagText(f)}</td>
                <td>{f.custom ? t('fields.custom') : t('fields.builtin')}</td>
                <td class="row-actions">
                  {f.custom && (
                    <>
                      <button type="button" aria-label={t('fields.editOne', { field: fieldLabel(f) })} onClick={() => setEditing(f.name)}>{t('rec.edit')}</button>
                      <button type="button" class="danger" aria-label={t('fields.removeOne', { field: fieldLabel(f) })} onClick={() => remove(f)}>{t('fields.remove')}</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
