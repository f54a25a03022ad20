// Administration: users (create, deactivate and transfer on the user's page), teams,
// roles (fixed in this version: shown with their users) and pipeline stages, all through
// the generic list and record pages.
import { useMemo } from 'preact/hooks';
import { enumLabel, t } from './i18n.js';
import { ListView } from './list.jsx';
import { Link, useLocation } from './router.js';
import { entityMeta, recordTitle, session, useAll } from './state.js';
import { Notice, usePageTitle } from './ui.jsx';

const TABS = [['users', 'admin.users'], ['teams', 'admin.teams'], ['roles', 'admin.roles'], ['stages', 'admin.stages']];

function Roles() {
  const users = useAll('users');
  const roles = entityMeta('users').fields.find((f) => f.name === 'role')?.enum || [];
  const by = useMemo(() => {
    const m = {};
    for (const u of users || []) (m[u.role] ||= []).push(u);
    return m;
  }, [users]);
  return (
    <section class="panel">
      <p>{t('admin.rolesNote')}</p>
      <table>
        <thead><tr><th scope="col">{t('admin.role')}</th><th scope="col">{t('admin.members')}</th></tr></thead>
        <tbody>{roles.map((r) => (
          <tr><th scope="row">{enumLabel(r)}</th>
            <td>{(by[r] || []).map((u, i) => <>{i ? ', ' : ''}<Link href={`/r/users/${u.id}`}>{recordTitle(entityMeta('users'), u)}</Link></>)}</td></tr>
        ))}</tbody>
      </table>
      <h2>{t('admin.yourScopes')}</h2>
      <table>
        <thead><tr><th scope="col" />{['read', 'create', 'edit', 'delete', 'export'].map((a) => <th scope="col">{a}</th>)}</tr></thead>
        <tbody>{session.meta.entities.map((e) => (
          <tr><th scope="row">{e.label_plural}</th>{['read', 'create', 'edit', 'delete', 'export'].map((a) => <td>{e.permissions[a]}</td>)}</tr>
        ))}</tbody>
      </table>
    </section>
  );
}

export function AdminPage() {
  const { path } = useLocation();
  const tab = path.split('/')[2] || 'users';
  usePageTitle(t('admin.title'));
  if (session.user.role !== 'admin') return <Notice kind="error">{t('err.forbidden')}</Notice>;
  const entity = { users: 'users', teams: 'teams', stages: 'pipeline_stages' }[tab];
  return (
    <section class="admin">
      <h1 class="sr-only">{t('admin.title')}</h1>
      <nav class="tabs" aria-label={t('admin.title')}>
        {TABS.map(([k, label]) => <Link href={`/admin/${k}`} aria-current={tab === k ? 'page' : undefined}>{t(label)}</Link>)}
      </nav>
      {entity ? <ListView e={entityMeta(entity)} key={entity} /> : <Roles />}
    </section>
  );
}
