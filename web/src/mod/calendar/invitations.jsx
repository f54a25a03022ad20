// A meeting's invitations on its record page, beside the timeline: each attendee
// invited by e-mail with their answer (accepted, declined, tentative, not answered yet)
// and when it came, from the meeting's read-only `invitations` (the server writes it:
// docs/api.md, "Meeting invitations"); or why none were sent.
import { formatDateTime, t } from '../../i18n.js';
import { Link, recordPath } from '../../router.js';

export const invitationsPanelFor = (e, r) => e.name === 'activities' && r.type === 'meeting' && !r.series_id;

export function InvitationsPanel({ record }) {
  const inv = record.invitations;
  const invitees = (record.attendee_user_ids?.length || 0) + (record.attendee_contact_ids?.length || 0);
  return (
    <section class="card summary invitations" aria-labelledby="inv-h">
      <h2 id="inv-h">{t('inv.title')}</h2>
      {inv ? (
        <ul class="plain inv-list">
          {inv.attendees.length === 0 && <li class="muted">{t('inv.nobody')}</li>}
          {inv.attendees.map((a) => (
            <li data-status={a.status}>
              {a.contact_id ? <Link href={recordPath('contacts', a.contact_id)}>{a.name || a.email}</Link> : (a.name || a.email)}{' '}
              <span class={`tag inv-${a.status}`}>{t(`inv.status.${a.status}`)}</span>
              <br /><span class="muted">{a.email}{a.answered_at ? ` · ${t('inv.answeredAt', { at: formatDateTime(a.answered_at) })}` : ''}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{!record.send_invitations ? t('inv.off') : invitees === 0 ? t('inv.noAttendees') : t('inv.notSent')}</p>
      )}
    </section>
  );
}
