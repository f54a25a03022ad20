// On a user's page, for administrators: deactivate or reactivate the user, and transfer
// their records to another user. A record panel of the platform module
// (web/src/mod/index.js).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { t } from '../../i18n.js';
import { forget, isAdmin, recordTitle, session, useAll } from '../../state.js';
import { errorText, Notice } from '../../ui.jsx';

export function UserActions({ record, onSaved }) {
  const users = useAll('users');
  const [to, setTo] = useState('');
  const [msg, setMsg] = useState(null);
  if (!isAdmin()) return null;
  const toggle = () => api.patch(`/users/${record.id}`, { active: !record.active }, { version: record.version })
    .then((r) => { forget('users'); onSaved(r); }, (err) => setMsg({ kind: 'error', text: errorText(err) }));
  const transfer = () => api.post(`/users/${record.id}/transfer`, { to_user_id: to })
    .then((r) => setMsg({ kind: 'info', text: t('rec.transferDone', { n: r.moved }) }), (err) => setMsg({ kind: 'error', text: errorText(err) }));
  return (
    <div class="card user-actions">
      <button type="button" onClick={toggle}>{record.active ? t('rec.deactivate') : t('rec.activate')}</button>
      <label for="transfer-to">{t('rec.transfer')}</label>
      <select id="transfer-to" value={to} onChange={(ev) => setTo(ev.target.value)}>
        <option value="">{t('form.choose')}</option>
        {(users || []).filter((u) => u.id !== record.id && u.active).map((u) => <option value={u.id}>{recordTitle(session.byName.users, u)}</option>)}
      </select>
      <button type="button" disabled={!to} onClick={transfer}>{t('rec.transferGo')}</button>
      {msg && <Notice kind={msg.kind} onClose={() => setMsg(null)}>{msg.text}</Notice>}
    </div>
  );
}
