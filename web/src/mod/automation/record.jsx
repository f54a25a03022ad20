// The automation module's pieces loaded with the shell (web/src/mod/index.js
// RECORD_PANELS): a webhook opened as a record — /r/webhooks/<id>, where the
// administrators' notification that it paused links — or one of its deliveries is
// shown on the webhook's own screen, Administration › Automation, which has its
// secret, Send test, Resume and the delivery log.
import { useEffect } from 'preact/hooks';
import { t } from '../../i18n.js';
import { Link, navigate } from '../../router.js';

export const webhookPath = (id) => `/admin/automation/${id}`;

// A workflow rule or one of its runs opened as a record (/r/workflows/<id>) likewise
// goes to the rule's page, with its definition in words, Try and the run log.
export const rulePath = (id) => `/admin/automation/rules/${id}`;

export function RuleRecord({ e, record }) {
  const id = e.name === 'workflows' ? record.id : record.workflow_id;
  useEffect(() => { if (id) navigate(rulePath(id), { replace: true }); }, [id]);
  return id ? <p><Link href={rulePath(id)}>{t('au.openScreen')}</Link></p> : null;
}

export function WebhookRecord({ e, record }) {
  const id = e.name === 'webhooks' ? record.id : record.webhook_id;
  useEffect(() => { if (id) navigate(webhookPath(id), { replace: true }); }, [id]);
  return id ? <p><Link href={webhookPath(id)}>{t('au.openScreen')}</Link></p> : null;
}
