// Converting a lead (POST /leads/{id}/convert), a record panel of leads: the account —
// a new one from the lead's company, or an existing one — the contact likewise, and an
// optional opportunity, made in one transaction. When the new account or contact looks
// like an existing record, the server names the look-alikes: each is offered with "use
// this one", or all of them set aside with "create new anyway". Done, the user lands on
// the account, with links to the contact and the deal.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { FieldInput, RefName, validate } from '../../fields.jsx';
import { entityLabel, fieldLabel, t } from '../../i18n.js';
import { navigate, recordPath } from '../../router.js';
import { entityMeta, recordTitle } from '../../state.js';
import { errorText, flash, Notice } from '../../ui.jsx';

const OPP_FIELDS = ['name', 'amount', 'stage', 'expected_close_date'];
const personName = (r) => [r.first_name, r.last_name].filter(Boolean).join(' ');

export function ConvertLead({ e, record }) {
  const [open, setOpen] = useState(false);
  if (record.status === 'converted' || record.converted_at || e.permissions.edit === 'none') return null;
  if (!open) {
    return (
      <div class="convert-bar">
        <button type="button" class="primary" onClick={() => setOpen(true)}>{t('conv.open')}</button>
      </div>
    );
  }
  return <ConvertForm lead={record} onCancel={() => setOpen(false)} />;
}

// One of "create a new record" / "use an existing one" with its picker.
function Choice({ name, legend, newLabel, choice, onChange }) {
  const pick = { name: `${name}_id`, type: 'ref', ref: name, label: legend };
  return (
    <fieldset class="choice">
      <legend>{legend}</legend>
      <label><input type="radio" name={`conv-${name}`} checked={choice.mode === 'new'}
        onChange={() => onChange({ mode: 'new', id: '' })} /> {newLabel}</label>
      <label><input type="radio" name={`conv-${name}`} checked={choice.mode === 'existing'}
        onChange={() => onChange({ ...choice, mode: 'existing' })} /> {t(`conv.existing.${name}`)}</label>
      {choice.mode === 'existing' && (
        <div class="field">
          <label for={`conv-${name}-id`}>{t(`conv.pick.${name}`)}</label>
          <FieldInput id={`conv-${name}-id`} field={pick} value={choice.id} onChange={(id) => onChange({ mode: 'existing', id })} />
        </div>
      )}
    </fieldset>
  );
}

function ConvertForm({ lead, onCancel }) {
  const opps = entityMeta('opportunities');
  const company = lead.company || personName(lead);
  const [account, setAccount] = useState({ mode: 'new', id: '' });
  const [contact, setContact] = useState({ mode: 'new', id: '' });
  const [withDeal, setWithDeal] = useState(!!opps);
  const firstStage = opps?.fields.find((f) => f.name === 'stage')?.enum?.[0];
  const [deal, setDeal] = useState({ name: company ? t('conv.dealName', { company }) : '', stage: firstStage || '' });
  const [errors, setErrors] = useState({});
  const [dups, setDups] = useState(null); // {entity, list}
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const dealFields = opps ? OPP_FIELDS.map((n) => opps.fields.find((f) => f.name === n)).filter(Boolean) : [];

  async function convert({ accountId, contactId, allowDuplicate = false } = {}) {
    const acc = accountId || (account.mode === 'existing' ? account.id : '');
    const con = contactId || (contact.mode === 'existing' ? contact.id : '');
    const errs = {};
    if (account.mode === 'existing' && !acc) errs.account_id = t('form.required');
    if (contact.mode === 'existing' && !con) errs.contact_id = t('form.required');
    if (withDeal) for (const f of dealFields) { const m = validate(f, deal[f.name]); if (m) errs[f.name] = m; }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const body = {};
    if (acc) body.account_id = acc;
    if (con) body.contact_id = con;
    if (withDeal) body.opportunity = Object.fromEntries(Object.entries(deal).filter(([, v]) => v !== '' && v != null));
    setBusy(true); setProblem(null);
    try {
      const r = await api.post(`/leads/${lead.id}/convert`, body, allowDuplicate ? { allow_duplicate: 'true' } : undefined);
      navigate(recordPath('accounts', r.account_id));
      flash(t('conv.done'), {
        links: [
          { href: recordPath('contacts', r.contact_id), label: t('conv.openContact') },
          ...(r.opportunity_id ? [{ href: recordPath('opportunities', r.opportunity_id), label: t('conv.openDeal') }] : []),
        ],
      });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const p = err.problem;
      if (err.status === 409 && p.duplicates?.length) {
        setDups({ entity: p.duplicates[0].entity, list: p.duplicates, accountId: acc, contactId: con });
      } else if (err.status === 422) {
        const byField = {};
        for (const x of p.errors || []) byField[x.field] = x.message;
        setErrors(byField);
        setProblem(err);
      } else {
        setProblem(err);
      }
    } finally {
      setBusy(false);
    }
  }

  // "Use this one": the look-alike becomes the choice, and the conversion goes on.
  function useExisting(d) {
    const isAccount = d.entity === 'accounts';
    (isAccount ? setAccount : setContact)({ mode: 'existing', id: d.id });
    setDups(null);
    convert(isAccount ? { accountId: d.id, contactId: dups.contactId } : { accountId: dups.accountId, contactId: d.id });
  }

  return (
    <form class="card convert" aria-labelledby="conv-h" onSubmit={(ev) => { ev.preventDefault(); convert(); }}>
      <h2 id="conv-h">{t('conv.title', { name: personName(lead) || company })}</h2>
      <Choice name="accounts" legend={entityLabel(entityMeta('accounts'), false)} choice={account} onChange={setAccount}
        newLabel={t('conv.new.accounts', { name: company })} />
      {errors.account_id && <p class="field-error">{errors.account_id}</p>}
      <Choice name="contacts" legend={entityLabel(entityMeta('contacts'), false)} choice={contact} onChange={setContact}
        newLabel={t('conv.new.contacts', { name: personName(lead) })} />
      {errors.contact_id && <p class="field-error">{errors.contact_id}</p>}
      {opps && (
        <fieldset class="choice">
          <legend>{entityLabel(opps, false)}</legend>
          <label><input type="checkbox" checked={withDeal} onChange={(ev) => setWithDeal(ev.target.checked)} /> {t('conv.withDeal')}</label>
          {withDeal && (
            <div class="grid">
              {dealFields.map((f) => (
                <div class={`field ${errors[f.name] ? 'has-error' : ''}`}>
                  <label for={`conv-opp-${f.name}`}>{fieldLabel(f)}</label>
                  <FieldInput id={`conv-opp-${f.name}`} field={f} value={deal[f.name]} invalid={!!errors[f.name]}
                    onChange={(v) => setDeal({ ...deal, [f.name]: v })} />
                  {errors[f.name] && <p class="field-error">{fieldLabel(f)} {errors[f.name]}</p>}
                </div>
              ))}
            </div>
          )}
        </fieldset>
      )}
      {dups && (
        <div class="notice warn stack" role="alert">
          <p>{t(`conv.dupTitle.${dups.entity === 'contacts' ? 'contacts' : 'accounts'}`)}</p>
          <ul class="dups">
            {dups.list.map((d) => (
              <li>
                <a href={recordPath(d.entity, d.id)} target="_blank" rel="noopener">{recordTitle(entityMeta(d.entity), d.record) || d.id}</a>
                {d.record?.owner_id && <> · {t('dup.owner')} <RefName entity="users" id={d.record.owner_id} /></>}
                {' '}<span class="muted">({(d.reasons || []).map((r) => t('form.reasons', { r: t(`dup.reason.${r}`) })).join(', ')})</span>
                {' '}<button type="button" onClick={() => useExisting(d)}
                  aria-label={t('conv.useThis', { name: recordTitle(entityMeta(d.entity), d.record) || d.id })}>{t('conv.useThisShort')}</button>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => { setDups(null); convert({ accountId: dups.accountId, contactId: dups.contactId, allowDuplicate: true }); }}>
            {t('conv.createAnyway')}
          </button>
        </div>
      )}
      {problem && <Notice kind="error">{problem.status === 422 ? t('conv.invalid') : errorText(problem)}</Notice>}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('conv.submit')}</button>
        <button type="button" onClick={onCancel}>{t('rec.cancel')}</button>
      </div>
    </form>
  );
}
