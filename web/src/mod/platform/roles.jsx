// Administration › Roles: the roles (records of the entity roles) with their users;
// creating and deleting one (a role in use is refused with 409, whose message is
// shown); and for one role the permission grid — a row per entity, a column per action,
// a scope in each cell — and its field rules (each field open, read-only or hidden).
// Saving PATCHes grants and field_rules with If-Match. The admin role administers
// everything and has no grid.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { entityLabel, fieldLabel, roleLabel, t } from '../../i18n.js';
import { Link, navigate } from '../../router.js';
import { entityMeta, forget, recordTitle, reloadMeta, session, useAll } from '../../state.js';
import { errorText, Loading, Notice, useFetch } from '../../ui.jsx';

export const ACTIONS = ['read', 'create', 'edit', 'delete', 'export', 'import'];
export const SCOPES = ['none', 'own', 'team', 'team_and_below', 'all'];
const RULES = ['', 'readonly', 'hidden']; // '': open

// Every entity × action of the metadata, a missing grant being none.
function fullGrants(grants) {
  const out = {};
  for (const e of session.meta.entities) {
    out[e.name] = {};
    for (const a of ACTIONS) out[e.name][a] = grants?.[e.name]?.[a] || 'none';
  }
  return out;
}
// Field rules without the open fields (and without entities left with none).
function cleanRules(rules) {
  const out = {};
  for (const [e, fields] of Object.entries(rules || {})) {
    const kept = Object.fromEntries(Object.entries(fields || {}).filter(([, r]) => r));
    if (Object.keys(kept).length) out[e] = kept;
  }
  return out;
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function Members({ users, role }) {
  const list = (users || []).filter((u) => u.role === role.key);
  return list.map((u, i) => <>{i ? ', ' : ''}<Link href={`/r/users/${u.id}`}>{recordTitle(entityMeta('users'), u)}</Link></>);
}

function NewRole({ roles, onCancel }) {
  const [v, setV] = useState({ key: '', label: '', label_zh: '', description: '', like: '' });
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const set = (k) => (ev) => setV({ ...v, [k]: ev.target.value });
  async function submit(ev) {
    ev.preventDefault();
    const errs = {};
    if (!/^[a-z][a-z0-9_]{1,39}$/.test(v.key.trim())) errs.key = t('fd.nameRule');
    if (!v.label.trim()) errs.label = t('form.required');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const like = roles.find((r) => r.id === v.like);
    const body = { key: v.key.trim(), label: v.label.trim(), grants: like && !like.admin ? like.grants || {} : {} };
    if (like?.field_rules) body.field_rules = like.field_rules;
    for (const k of ['label_zh', 'description']) if (v[k].trim()) body[k] = v[k].trim();
    try {
      const r = await api.post('/roles', body);
      forget('roles');
      await reloadMeta(); // users' role lists the new key
      navigate(`/admin/roles/${r.id}`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setProblem(err);
      if (err.status === 422) setErrors(err.fields);
    }
  }
  const row = (k, label, extra = {}) => (
    <div class={`field ${errors[k] ? 'has-error' : ''}`}>
      <label for={`role-${k}`}>{label}</label>
      <input id={`role-${k}`} value={v[k]} aria-invalid={!!errors[k]} onInput={set(k)} {...extra} />
      {errors[k] && <p class="field-error">{label} {errors[k]}</p>}
    </div>
  );
  return (
    <form class="panel" noValidate onSubmit={submit} aria-labelledby="role-new-h">
      <h3 id="role-new-h">{t('roles.newTitle')}</h3>
      {problem && problem.status !== 422 && <Notice kind="error">{errorText(problem)}</Notice>}
      <div class="grid">
        {row('key', t('roles.key'), { autocomplete: 'off', spellcheck: false, placeholder: 'auditor' })}
        {row('label', t('roles.label'))}
        {row('label_zh', t('roles.labelZh'), { lang: 'zh-CN' })}
        {row('description', t('roles.description'))}
        <div class="field">
          <label for="role-like">{t('roles.copyFrom')}</label>
          <select id="role-like" value={v.like} onChange={set('like')}>
            <option value="">{t('roles.startEmpty')}</option>
            {roles.filter((r) => !r.admin).map((r) => <option value={r.id}>{roleLabel(r)}</option>)}
          </select>
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="primary">{t('roles.create')}</button>
        <button type="button" onClick={onCancel}>{t('rec.cancel')}</button>
      </div>
    </form>
  );
}

function RoleList() {
  const [roles, setRoles] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [adding, setAdding] = useState(false);
  const [tick, setTick] = useState(0);
  const users = useAll('users');
  useFetch(() => api.get('/roles', { limit: 200 }), [tick], (r) => setRoles(r.data), setError);

  async function remove(r) {
    if (!window.confirm(t('roles.deleteConfirm', { role: roleLabel(r) }))) return;
    try {
      await api.del(`/roles/${r.id}`, { version: r.version });
      forget('roles');
      await reloadMeta();
      setNotice({ kind: 'info', text: t('roles.deleted', { role: roleLabel(r) }) });
      setTick((n) => n + 1);
    } catch (err) {
      const msg = err.problem?.detail || err.message;
      setNotice({ kind: 'error', text: err.status === 409 ? t('roles.inUse', { role: roleLabel(r), msg }) : errorText(err) });
    }
  }

  if (error) return <Notice kind="error">{errorText(error)}</Notice>;
  if (!roles) return <Loading />;
  return (
    <section class="roles-admin" aria-labelledby="roles-h">
      <div class="toolbar">
        <h2 id="roles-h">{t('roles.title')}</h2>
        {!adding && <button type="button" class="primary" onClick={() => setAdding(true)}>{t('roles.new')}</button>}
      </div>
      <p class="muted">{t('roles.note')}</p>
      {notice && <Notice kind={notice.kind} onClose={() => setNotice(null)}>{notice.text}</Notice>}
      {adding && <NewRole roles={roles} onCancel={() => setAdding(false)} />}
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">{t('roles.role')}</th><th scope="col">{t('roles.key')}</th><th scope="col">{t('roles.kind')}</th>
            <th scope="col">{t('roles.members')}</th><th scope="col"><span class="sr-only">{t('fields.actions')}</span></th></tr></thead>
          <tbody>{roles.map((r) => (
            <tr>
              <th scope="row"><Link href={`/admin/roles/${r.id}`}>{roleLabel(r)}</Link>
                {r.description && <p class="muted small">{r.description}</p>}</th>
              <td><code>{r.key}</code></td>
              <td>{[r.admin ? t('roles.adminShort') : null, r.builtin ? t('roles.builtin') : t('roles.custom')].filter(Boolean).join(', ')}</td>
              <td><Members users={users} role={r} /></td>
              <td class="row-actions">
                <Link class="button" href={`/admin/roles/${r.id}`} aria-label={t('roles.editOne', { role: roleLabel(r) })}>{t('rec.edit')}</Link>
                {!r.builtin && <button type="button" class="danger" aria-label={t('roles.deleteOne', { role: roleLabel(r) })} onClick={() => remove(r)}>{t('rec.delete')}</button>}
              </td>
            </tr>
          ))}</tbody>
        </table>
      </div>
    </section>
  );
}

// The grid: a row per entity, a column per action, a select of the scopes in each cell.
function Grid({ grants, onChange }) {
  const set = (e, a) => (ev) => onChange({ ...grants, [e]: { ...grants[e], [a]: ev.target.value } });
  return (
    <div class="table-wrap">
      <table class="grant-grid">
        <caption class="sr-only">{t('roles.grid')}</caption>
        <thead><tr><th scope="col">{t('roles.entity')}</th>{ACTIONS.map((a) => <th scope="col">{t(`action.${a}`)}</th>)}</tr></thead>
        <tbody>{session.meta.entities.map((e) => (
          <tr data-entity={e.name}>
            <th scope="row">{entityLabel(e)}</th>
            {ACTIONS.map((a) => (
              <td>
                <select aria-label={t('roles.cell', { entity: entityLabel(e), action: t(`action.${a}`) })} data-action={a}
                  class={`scope-${grants[e.name][a]}`} value={grants[e.name][a]} onChange={set(e.name, a)}>
                  {SCOPES.map((s) => <option value={s}>{t(`scope.${s}`)}</option>)}
                </select>
              </td>
            ))}
          </tr>
        ))}</tbody>
      </table>
    </div>
  );
}

// Field rules of one entity at a time: each field open, read-only or hidden.
function FieldRules({ rules, onChange }) {
  const [entity, setEntity] = useState(session.meta.entities.find((e) => !['users', 'teams', 'roles'].includes(e.name))?.name);
  const e = entityMeta(entity);
  const count = (name) => Object.values(rules[name] || {}).filter(Boolean).length;
  const set = (f) => (ev) => onChange({ ...rules, [entity]: { ...(rules[entity] || {}), [f]: ev.target.value } });
  return (
    <section class="panel" aria-labelledby="rules-h">
      <h3 id="rules-h">{t('roles.rules')}</h3>
      <p class="muted small">{t('roles.rulesNote')}</p>
      <label for="rules-entity">{t('roles.entity')}</label>{' '}
      <select id="rules-entity" value={entity} onChange={(ev) => setEntity(ev.target.value)}>
        {session.meta.entities.map((x) => <option value={x.name}>{entityLabel(x)}{count(x.name) ? ` (${count(x.name)})` : ''}</option>)}
      </select>
      {e && (
        <table class="rules">
          <thead><tr><th scope="col">{t('fd.label')}</th><th scope="col">{t('roles.access')}</th></tr></thead>
          <tbody>{e.fields.map((f) => (
            <tr>
              <th scope="row">{fieldLabel(f)} <code class="muted small">{f.name}</code></th>
              <td>
                <select aria-label={t('roles.fieldRule', { field: fieldLabel(f) })} data-field={f.name}
                  value={rules[entity]?.[f.name] || ''} onChange={set(f.name)}>
                  {RULES.map((r) => <option value={r}>{t(`rule.${r || 'open'}`)}</option>)}
                </select>
              </td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}

function RoleEditor({ id }) {
  const [role, setRole] = useState(null);
  const [draft, setDraft] = useState(null);
  const [error, setError] = useState(null);
  const [problem, setProblem] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const start = (r) => {
    setRole(r);
    setDraft({ label: r.label || '', label_zh: r.label_zh || '', description: r.description || '',
      grants: fullGrants(r.grants), field_rules: cleanRules(r.field_rules) });
    setProblem(null);
  };
  useFetch(() => api.get(`/roles/${id}`), [id], start, setError);

  if (error) return <Notice kind="error">{error.status === 404 ? t('rec.notFound') : errorText(error)}</Notice>;
  if (!role || !draft) return <Loading />;

  const body = {};
  for (const k of ['label', 'label_zh', 'description']) if (draft[k].trim() !== (role[k] || '')) body[k] = draft[k].trim();
  if (!role.admin) {
    if (!same(draft.grants, fullGrants(role.grants))) body.grants = draft.grants;
    const rules = cleanRules(draft.field_rules);
    if (!same(rules, cleanRules(role.field_rules))) body.field_rules = rules;
  }
  const dirty = Object.keys(body).length > 0;

  async function save(ev) {
    ev.preventDefault();
    if (!draft.label.trim()) { setProblem({ status: 422, fields: { label: t('form.required') } }); return; }
    setBusy(true);
    try {
      start(await api.patch(`/roles/${id}`, body, { version: role.version }));
      forget('roles');
      await reloadMeta();
      setNotice(t('rec.saved'));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setNotice(null);
      setProblem(err);
    } finally {
      setBusy(false);
    }
  }
  const reload = () => api.get(`/roles/${id}`).then(start, setError);
  const errs = problem?.status === 422 ? problem.fields : {};
  const text = (k, label, extra = {}) => (
    <div class={`field ${errs[k] ? 'has-error' : ''}`}>
      <label for={`role-${k}`}>{label}</label>
      <input id={`role-${k}`} value={draft[k]} aria-invalid={!!errs[k]} onInput={(ev) => setDraft({ ...draft, [k]: ev.target.value })} {...extra} />
      {errs[k] && <p class="field-error">{label} {errs[k]}</p>}
    </div>
  );
  return (
    <form class="role-editor" noValidate onSubmit={save} aria-labelledby="role-h">
      <p class="crumb"><Link href="/admin/roles">{t('roles.title')}</Link></p>
      <h2 id="role-h">{t('roles.editTitle', { role: roleLabel(role) })} <code class="muted small">{role.key}</code>
        {role.builtin && <span class="muted small"> · {t('roles.builtin')}</span>}</h2>
      {notice && <Notice onClose={() => setNotice(null)}>{notice}</Notice>}
      {problem?.status === 412 && (
        <Notice kind="warn">{t('roles.stale')} <button type="button" onClick={reload}>{t('rec.reload')}</button></Notice>
      )}
      {problem?.status === 422 && (
        <Notice kind="error">{t('form.invalid')} {Object.entries(errs).filter(([k]) => ['grants', 'field_rules'].includes(k) || !(k in draft))
          .map(([k, v]) => `${k}: ${v}`).join('; ')}</Notice>
      )}
      {problem && ![412, 422].includes(problem.status) && <Notice kind="error">{errorText(problem)}</Notice>}
      <fieldset class="panel">
        <legend>{t('roles.details')}</legend>
        <div class="grid">
          {text('label', t('roles.label'))}
          {text('label_zh', t('roles.labelZh'), { lang: 'zh-CN' })}
          {text('description', t('roles.description'))}
        </div>
      </fieldset>
      {role.admin ? (
        <Notice>{t('roles.adminAll')}</Notice>
      ) : (
        <>
          <section class="panel" aria-labelledby="grid-h">
            <h3 id="grid-h">{t('roles.grid')}</h3>
            <p class="muted small">{t('roles.gridNote')}</p>
            <Grid grants={draft.grants} onChange={(g) => setDraft({ ...draft, grants: g })} />
          </section>
          <FieldRules rules={draft.field_rules} onChange={(r) => setDraft({ ...draft, field_rules: r })} />
        </>
      )}
      <div class="actions sticky-actions">
        <button type="submit" class="primary" disabled={busy || !dirty}>{t('rec.save')}</button>
        <button type="button" disabled={!dirty} onClick={() => start(role)}>{t('roles.discard')}</button>
      </div>
    </form>
  );
}

export function RolesAdmin({ id }) {
  return id ? <RoleEditor id={id} /> : <RoleList />;
}
