// A mailing from a list: the contacts or leads selected on their list get an e-mail
// each from one template, written in one request (POST /mail/batch) and sent in the
// background; each lands on its person's timeline.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { enumLabel, t } from '../../i18n.js';
import { fieldMeta } from '../../state.js';
import { errorText, flash, Notice } from '../../ui.jsx';

// The field of an e-mail that names a person of each entity a mailing is sent from.
export const MAILING_LINKS = { contacts: 'contact_id', leads: 'lead_id' };

export function MailingForm({ e, ids, onClose, onDone }) {
  const [templates, setTemplates] = useState(null);
  const [template, setTemplate] = useState('');
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.get('/email_templates', { limit: 200, sort: 'name' }).then((r) => setTemplates(r.data), () => setTemplates([]));
  }, []);
  async function send(ev) {
    ev.preventDefault();
    if (busy || !template) return;
    setBusy(true); setProblem(null);
    const link = MAILING_LINKS[e.name];
    try {
      const r = await api.post('/mail/batch', { template_id: template, messages: ids.map((id) => ({ [link]: id })) });
      flash(t('mail.mailingQueued', { n: r.created }));
      onDone();
    } catch (err) {
      // A message's errors name it: "messages[2].to_addresses".
      setProblem(Object.entries(err.fields || {}).map(([k, v]) => `${k}: ${v}`).join(' · ') || errorText(err));
      setBusy(false);
    }
  }
  const lang = fieldMeta('email_templates', 'language');
  return (
    <form class="mail-mailing" aria-label={t('mail.mailing')} onSubmit={send}
      onKeyDown={(ev) => { if (ev.key === 'Escape') { ev.preventDefault(); onClose(); } }}>
      <label for="mm-template">{t('mail.mailingTemplate', { n: ids.length })}</label>
      <select id="mm-template" value={template} onChange={(ev) => setTemplate(ev.target.value)}>
        <option value="">{t('mail.pickTemplate')}</option>
        {(templates || []).map((x) => <option value={x.id}>{x.name} ({enumLabel(lang, x.language)})</option>)}
      </select>
      <button type="submit" class="primary" disabled={busy || !template}>{t('mail.mailingSend', { n: ids.length })}</button>
      <button type="button" onClick={onClose}>{t('mail.cancel')}</button>
      {problem && <Notice kind="error">{problem}</Notice>}
    </form>
  );
}
