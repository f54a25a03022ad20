// Administration (platform module, loaded on the first visit: web/src/mod/index.js):
// users (create, deactivate and transfer on the user's page), teams (with their parent
// team) and pipeline stages through the generic list and record pages; roles with their
// permission grid and field rules; custom fields; custom entities; security (settings,
// customer-data alerts and views; a notice above the other tabs after a recent alert);
// the system status (the database servers, replica lag, reconnects); then the other
// modules' tabs (web/src/mod/index.js ADMIN_TABS: automation's webhooks and workflow
// rules), each loaded on its first visit.
import { useEffect, useState } from 'preact/hooks';
import { addStrings, t } from '../../i18n.js';
import { ListView } from '../../list.jsx';
import { Link, useLocation } from '../../router.js';
import { entityMeta } from '../../state.js';
import { errorText, Loading, Notice, usePageTitle } from '../../ui.jsx';
import { ADMIN_TABS } from '../index.js';
import { EntitiesAdmin } from './custom-entities.jsx';
import { FieldsAdmin } from './custom-fields.jsx';
import { RolesAdmin } from './roles.jsx';
import { AlertNotice, SecurityAdmin } from './security.jsx';
import { SystemAdmin } from './system.jsx';
import * as adminStrings from './admin-i18n.js';

addStrings(adminStrings); // before any of these screens renders: they load together

const TABS = [['users', 'admin.users'], ['teams', 'admin.teams'], ['roles', 'admin.roles'], ['stages', 'admin.stages'],
  ['fields', 'admin.fields'], ['entities', 'admin.entities'], ['security', 'admin.security'], ['system', 'admin.system']];
const LISTS = { users: 'users', teams: 'teams', stages: 'pipeline_stages' };

// Another module's tab: its code is fetched on the first visit, then kept.
const loadedTabs = new Map();
function ModuleTab({ tab, sub }) {
  const [, setLoaded] = useState(0);
  const [error, setError] = useState(null);
  const C = loadedTabs.get(tab.tab);
  useEffect(() => {
    if (!C) tab.load().then((c) => { loadedTabs.set(tab.tab, c); setLoaded((n) => n + 1); }, setError);
  }, [tab.tab]);
  if (error) return <Notice kind="error">{errorText(error)}</Notice>;
  return C ? <C sub={sub} /> : <Loading />;
}
const moduleTabs = () => ADMIN_TABS.filter((x) => x.when());

function Tab({ tab, sub }) {
  const other = moduleTabs().find((x) => x.tab === tab);
  if (other) return <ModuleTab tab={other} sub={sub} key={tab} />;
  if (LISTS[tab]) return <ListView e={entityMeta(LISTS[tab])} key={tab} />;
  if (tab === 'roles') return <RolesAdmin id={sub} key={sub || ''} />;
  if (tab === 'fields') return <FieldsAdmin entity={sub} key={sub || ''} />;
  if (tab === 'entities') return <EntitiesAdmin />;
  if (tab === 'security') return <SecurityAdmin />;
  if (tab === 'system') return <SystemAdmin />;
  return <ListView e={entityMeta('users')} key="users" />;
}

export function AdminPage() {
  const { path } = useLocation();
  const [, , tab = 'users', sub] = path.split('/');
  usePageTitle(t('admin.title'));
  return (
    <section class="admin">
      <h1 class="sr-only">{t('admin.title')}</h1>
      {tab !== 'security' && <AlertNotice />}
      <nav class="tabs" aria-label={t('admin.title')}>
        {[...TABS, ...moduleTabs().map((x) => [x.tab, x.label])].map(([k, label]) => <Link href={`/admin/${k}`} aria-current={tab === k ? 'page' : undefined}>{t(label)}</Link>)}
      </nav>
      <Tab tab={tab || 'users'} sub={sub} />
    </section>
  );
}
