// The Sharing panel of a record page, on entities /meta calls shareable: who the record
// is shared with beyond what their roles grant (a user or a team, to read or to edit),
// removing a share, and sharing with someone else (GET/POST/DELETE /{res}/{id}/shares).
// Only someone who may edit the record shares it: the controls are left out when the
// role may edit none of these records, and the server's answer is shown when it
// refuses this one (403). A record panel of the platform module (web/src/mod/index.js).
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { RefName } from '../../fields.jsx';
import { t } from '../../i18n.js';
import { canRead, entityMeta, recordTitle, session, useAll, useTitle } from '../../state.js';
import { errorText, Loading, Notice, useFetch } from '../../ui.jsx';

// A refusal in the server's words (403: why this record may not be shared by this user).
function refusal(err) {
  if (err instanceof ApiError && err.status === 403) return t('share.forbidden', { msg: err.problem.detail || t('err.forbidden') });
  return errorText(err);
}

function ShareRow({ s, canShare, onRemove }) {
  const entity = s.user_id ? 'users' : 'teams';
  const id = s.user_id || s.team_id;
  const title = useTitle(entity, id);
  const name = title || id.slice(0, 8);
  return (
    <li data-share={s.id}>
      <RefName entity={entity} id={id} /> <span class="muted small">{s.team_id ? t('share.team') : t('share.user')}</span>
      {' · '}<span class="access">{t(`share.access.${s.access}`)}</span>
      {canShare && (
        <button type="button" class="link" aria-label={t('share.remove', { name })} onClick={() => onRemove(s, name)}>×</button>
      )}
    </li>
  );
}

export function SharingPanel({ e, record }) {
  const [shares, setShares] = useState(null);
  const [tick, setTick] = useState(0);
  const [target, setTarget] = useState('');
  const [access, setAccess] = useState('read');
  const [msg, setMsg] = useState(null);
  const canShare = e.permissions.edit !== 'none';
  const users = useAll(canShare && canRead(entityMeta('users')) ? 'users' : null);
  const teams = useAll(canShare && canRead(entityMeta('teams')) ? 'teams' : null);
  const base = `/${e.name}/${record.id}/shares`;
  useFetch(() => api.get(base), [base, tick], (r) => setShares(r.data), (err) => { setShares([]); setMsg({ kind: 'error', text: refusal(err) }); });

  async function add(ev) {
    ev.preventDefault();
    const [kind, id] = target.split(':');
    try {
      await api.post(base, { [kind === 'team' ? 'team_id' : 'user_id']: id, access });
      setTarget('');
      setMsg({ kind: 'info', text: t('share.added') });
      setTick((n) => n + 1);
    } catch (err) {
      setMsg({ kind: 'error', text: err.status === 422 ? t('form.invalid') + ' ' + (err.problem.errors || []).map((x) => x.message).join('; ') : refusal(err) });
    }
  }
  async function remove(s, name) {
    try {
      await api.del(`${base}/${s.id}`);
      setMsg({ kind: 'info', text: t('share.removed', { name }) });
      setTick((n) => n + 1);
    } catch (err) {
      setMsg({ kind: 'error', text: refusal(err) });
    }
  }

  const usersE = entityMeta('users');
  return (
    <section class="panel sharing" aria-labelledby="share-h">
      <h2 id="share-h">{t('share.title')}</h2>
      {!shares ? <Loading /> : shares.length ? (
        <ul class="plain shares">
          {shares.map((s) => <ShareRow s={s} canShare={canShare} onRemove={remove} />)}
        </ul>
      ) : <p class="muted">{t('share.none')}</p>}
      {canShare && (
        <form class="share-add" onSubmit={add}>
          <label for="share-to">{t('share.with')}</label>
          <select id="share-to" value={target} onChange={(ev) => setTarget(ev.target.value)}>
            <option value="">{t('form.choose')}</option>
            {users && users.length > 0 && (
              <optgroup label={t('share.users')}>
                {users.filter((u) => u.active && u.id !== session.user.id).map((u) => <option value={`user:${u.id}`}>{recordTitle(usersE, u)}</option>)}
              </optgroup>
            )}
            {teams && teams.length > 0 && (
              <optgroup label={t('share.teams')}>
                {teams.map((x) => <option value={`team:${x.id}`}>{x.name}</option>)}
              </optgroup>
            )}
          </select>
          <label for="share-access">{t('share.accessLabel')}</label>
          <select id="share-access" value={access} onChange={(ev) => setAccess(ev.target.value)}>
            <option value="read">{t('share.access.read')}</option>
            <option value="edit">{t('share.access.edit')}</option>
          </select>
          <button type="submit" disabled={!target}>{t('share.add')}</button>
        </form>
      )}
      {msg && <Notice kind={msg.kind} onClose={() => setMsg(null)}>{msg.text}</Notice>}
    </section>
  );
}
