// A workflow rule in words, for the rules list and a rule's page: its trigger ("When
// an Opportunity's Stage changes to Closed won", "3 days before Expected close"), its
// conditions group by group, and each action ("Set Title to “VIP {{first_name}}”").
// Values read as the record page shows them: an enum's label, a user's name, a date.
import { EnumName, RefName, refOf } from '../../fields.jsx';
import { entityLabel, fieldLabel, formatDate, formatDateTime, formatMoney, formatNumber, getLang, sentence, t } from '../../i18n.js';
import { entityMeta, fieldMeta, useAll, recordTitle } from '../../state.js';
import { anyField, parseConditions } from './rules-model.js';

const wfField = (name) => fieldMeta('workflows', name) || { name, label: name };

// An entity's name, singular, with the English article ("a Contact", "an Opportunity";
// Chinese has none).
export function oneOf(name) {
  const e = entityMeta(name);
  const label = e ? entityLabel(e, false) : name;
  return t('wf.one', { a: /^[aeiou]/i.test(label) ? 'an' : 'a', entity: label });
}
export function EntityName({ name, plural = true }) {
  const e = entityMeta(name);
  return e ? entityLabel(e, plural) : t('au.unknownEntity', { name });
}
// A field of an entity by its label (a field that is gone: its API name).
export function FieldName({ entity, name }) {
  const f = anyField(entityMeta(entity), name);
  return f ? fieldLabel(f) : <code>{name}</code>;
}

// "3 days", "1 hour", "3 天".
export function amountText(n, unit) {
  const key = Number(n) === 1 ? `wf.n.${unit}.one` : `wf.n.${unit}`;
  return t(key, { n: formatNumber(n) });
}

// Text an administrator wrote, between quotation marks, its {{field}} placeholders
// set apart as code.
export function Quoted({ text }) {
  const parts = String(text ?? '').split(/(\{\{[^{}]*\}\})/);
  return <q class="wf-val">{parts.map((p, i) => (i % 2 ? <code>{p}</code> : p))}</q>;
}

// A value in the API's text form ("closed_won", "true", an id, "2026-12-01") as people
// read it; free text between quotation marks.
export function Val({ f, v }) {
  if (v === null || v === undefined || v === '') return <span class="muted">{t('wf.emptyValue')}</span>;
  if (Array.isArray(v)) return v.map((x, i) => <>{i ? t('wf.listSep') : ''}<Val f={f} v={x} /></>);
  const s = String(v);
  if (s.includes('{{')) return <Quoted text={s} />;
  if (f) {
    if (f.type === 'bool' && (s === 'true' || s === 'false')) return s === 'true' ? t('yes') : t('no');
    if ((f.type === 'enum' || f.type === 'multi_enum') && (f.enum || []).includes(s)) return <EnumName field={f} value={s} />;
    if (refOf(f) && /^[0-9a-f-]{36}$/.test(s)) return <RefName entity={refOf(f)} id={s} />;
    if (f.type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(s)) return formatDate(s);
    if (f.type === 'datetime' && !Number.isNaN(Date.parse(s))) return formatDateTime(s);
    if ((f.type === 'int' || f.type === 'percent') && /^-?\d+$/.test(s)) return formatNumber(s);
    if (f.type === 'money' && /^-?\d+(\.\d+)?$/.test(s)) return formatMoney(s);
  }
  return <Quoted text={s} />;
}

// ---- the trigger ----

export function TriggerText({ rule }) {
  const entity = oneOf(rule.entity);
  const e = entityMeta(rule.entity);
  const field = rule.trigger_field ? <FieldName entity={rule.entity} name={rule.trigger_field} /> : '…';
  const amount = rule.offset_amount === null || rule.offset_amount === undefined || rule.offset_amount === ''
    ? '…' : amountText(rule.offset_amount, rule.offset_unit || 'days');
  switch (rule.trigger) {
    case 'created': case 'updated': case 'deleted': case 'restored':
      return t(`wf.trig.${rule.trigger}`, { entity });
    case 'field_changed':
      if (rule.trigger_value === null || rule.trigger_value === undefined || rule.trigger_value === '') {
        return sentence('wf.trig.changed', { entity, field });
      }
      return sentence('wf.trig.changedTo', { entity, field, value: <Val f={anyField(e, rule.trigger_field)} v={rule.trigger_value} /> });
    case 'date':
      return sentence(rule.offset_direction === 'after' ? 'wf.trig.after' : 'wf.trig.before', { amount, field, entity });
    case 'no_activity':
      return sentence('wf.trig.idle', { entity, amount });
    default:
      return rule.trigger || '—';
  }
}

// ---- conditions ----

export function ConditionText({ entity, row }) {
  const f = anyField(entityMeta(entity), row.field);
  const field = <FieldName entity={entity} name={row.field} />;
  if (row.op === 'null') return sentence(String(row.value) === 'false' ? 'wf.cond.notNull' : 'wf.cond.null', { field });
  const list = row.op === 'in' ? (Array.isArray(row.value) ? row.value : String(row.value).split(',')) : null;
  const value = list ? <Val f={f} v={list} /> : <Val f={f} v={row.value} />;
  return sentence(`wf.cond.${row.op}`, { field, value });
}

// Groups joined by "or", conditions of a group by "and"; conditions this UI cannot read
// shown as they are written.
export function ConditionsText({ rule }) {
  if (!rule.conditions || !rule.conditions.trim()) return <p>{t('wf.always')}</p>;
  const groups = parseConditions(rule.conditions, entityMeta(rule.entity));
  if (!groups) return <pre class="wf-raw"><code>{rule.conditions}</code></pre>;
  const group = (g) => g.rows.map((r, j) => <>{j ? <span class="wf-and">{t('wf.and')}</span> : ''}<ConditionText entity={rule.entity} row={r} /></>);
  if (groups.length === 1) return <p data-group="1">{group(groups[0])}</p>;
  return (
    <>
      <p>{t('wf.anyOf')}</p>
      <ul class="wf-groups">
        {groups.map((g, i) => (
          <li data-group={i + 1}>
            {i > 0 && <span class="wf-or">{t('wf.or')} </span>}
            {group(g)}
          </li>
        ))}
      </ul>
    </>
  );
}

// ---- actions ----

function UserName({ id }) {
  return <RefName entity="users" id={id} />;
}
function TemplateName({ id }) {
  const rows = useAll('email_templates');
  const r = (rows || []).find((x) => x.id === id);
  return r ? <Quoted text={recordTitle(entityMeta('email_templates'), r)} /> : <code>{id}</code>;
}
function ValuesText({ entity, values }) {
  const e = entityMeta(entity);
  const list = Object.entries(values || {});
  if (!list.length) return '…';
  return list.map(([name, v], i) => (
    <>{i ? t('wf.listSep') : ''}{sentence('wf.do.setOne', {
      field: <FieldName entity={entity} name={name} />,
      value: <Val f={anyField(e, name)} v={typeof v === 'boolean' || typeof v === 'number' ? String(v) : v} />,
    })}</>
  ));
}

export function ActionText({ a, entity }) {
  switch (a.type) {
    case 'set_fields':
      return sentence('wf.do.set', { values: <ValuesText entity={entity} values={a.values} /> });
    case 'assign':
      if (a.team_id) {
        return sentence(a.mode === 'least_loaded' ? 'wf.do.assignLeast' : 'wf.do.assignTurn',
          { team: <RefName entity="teams" id={a.team_id} />, records: <EntityName name={entity} /> });
      }
      return sentence('wf.do.assign', { user: <UserName id={a.user_id} /> });
    case 'create_task': {
      const parts = [sentence('wf.do.task', { subject: <Quoted text={a.subject} /> })];
      if (a.due_field) {
        const days = Number(a.due_offset_days || 0);
        const field = <FieldName entity={entity} name={a.due_field} />;
        parts.push(days === 0 ? sentence('wf.do.dueOn', { field })
          : sentence(days < 0 ? 'wf.do.dueBefore' : 'wf.do.dueAfter', { field, amount: amountText(Math.abs(days), 'days') }));
      } else if (a.due_in_days !== undefined && a.due_in_days !== null) {
        parts.push(t('wf.do.dueIn', { amount: amountText(a.due_in_days, 'days') }));
      }
      parts.push(a.assign_to && a.assign_to !== 'owner' ? sentence('wf.do.forUser', { user: <UserName id={a.assign_to} /> }) : t('wf.do.forOwner'));
      if (a.priority) parts.push(sentence('wf.do.priority', { priority: <Val f={fieldMeta('activities', 'priority')} v={a.priority} /> }));
      return parts.map((p, i) => <>{i ? t('wf.clauseSep') : ''}{p}</>);
    }
    case 'send_email':
      return sentence(a.to === 'owner' ? 'wf.do.emailOwner' : 'wf.do.emailRecord', { template: <TemplateName id={a.template_id} /> });
    case 'notify': {
      const to = Array.isArray(a.to) ? a.to.map((id, i) => <>{i ? t('wf.listSep') : ''}<UserName id={id} /></>) : t('wf.theOwner');
      return sentence('wf.do.notify', { to, message: <Quoted text={a.message} /> });
    }
    case 'webhook':
      return sentence('wf.do.webhook', { url: <code>{a.url}</code> });
    case 'create_record': {
      const parts = [sentence('wf.do.create', { entity: oneOf(a.entity) })];
      if (a.values && Object.keys(a.values).length) parts.push(sentence('wf.do.with', { values: <ValuesText entity={a.entity} values={a.values} /> }));
      if (a.link_field) parts.push(sentence('wf.do.linked', { field: <FieldName entity={a.entity} name={a.link_field} /> }));
      return parts.map((p, i) => <>{i ? t('wf.clauseSep') : ''}{p}</>);
    }
    default:
      return <code>{JSON.stringify(a)}</code>;
  }
}

// An action's kind as a label ("Set fields"); a run's "stop" (too deep) too.
export function kindLabel(type) {
  const key = `wf.kind.${type}`;
  const s = t(key);
  return s === key ? type : s;
}

// The time a rule last ran or a run was logged, to the second.
export const atText = (v) => (v ? new Intl.DateTimeFormat(getLang(), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(v)) : '');
export function When({ at }) {
  return at ? <time datetime={at}>{atText(at)}</time> : <span class="muted">—</span>;
}
export { wfField };
