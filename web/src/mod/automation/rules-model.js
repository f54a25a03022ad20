// The workflow rule builder's model (no markup): which fields each part of a rule may
// name, the conditions' text ⇄ groups of rows, an action's JSON ⇄ the state of its
// small form, and a 422 answer's messages sorted by the part of the form they are
// about. docs/api.md "Workflow rules" is the API this follows.
import { entityMeta, session, systemField } from '../../state.js';

// The automation module's own entities: no rule watches or creates them.
export const OWN = new Set(['webhooks', 'webhook_deliveries', 'workflows', 'workflow_runs']);
export const TRIGGERS = ['created', 'updated', 'field_changed', 'deleted', 'restored', 'date', 'no_activity'];
export const TIMED = new Set(['date', 'no_activity']);
export const UNITS = ['minutes', 'hours', 'days'];
export const DIRECTIONS = ['before', 'after'];
export const OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'null'];
export const KINDS = ['set_fields', 'assign', 'create_task', 'send_email', 'notify', 'webhook', 'create_record'];
export const MODES = ['round_robin', 'least_loaded'];
export const MAX_GROUPS = 10;
export const MAX_CONDITIONS = 20;
export const MAX_ACTIONS = 10;

// Keys that tell rows apart while they are added, moved and removed.
let seq = 0;
export const newKey = () => `k${++seq}`;

// ---- fields ----

// Kinds of record a rule may watch or create: every entity but the module's own.
export const ruleEntities = () => session.meta.entities.filter((e) => !OWN.has(e.name));

const owner = () => systemField('owner_id', { type: 'ref', ref: 'users' });
const isDate = (f) => f.type === 'date' || f.type === 'datetime';
// Fields a list may filter on: not passwords, JSON or lists (docs/api.md "Lists").
const filterable = (f) => !['password', 'json', 'multi_enum', 'multi_ref'].includes(f.type);

// A field of e by name, the record's system columns included (owner_id …).
export function anyField(e, name) {
  if (!e || !name) return null;
  return e.fields.find((f) => f.name === name)
    || (name === 'owner_id' ? owner() : session.meta?.system_fields?.find((f) => f.name === name && name !== 'id')) || null;
}
// "A field changed": any field of the entity but a password, and the owner.
export const changeFields = (e) => [...e.fields.filter((f) => f.type !== 'password'), owner()];
// "Before or after a date": its date and date-time fields.
export const dateFields = (e) => e.fields.filter(isDate);
// Conditions: what a list filters on, with the owner, creator and times of every record.
export const conditionFields = (e) => [...e.fields.filter(filterable), owner(),
  ...['created_by', 'created_at', 'updated_at'].map((n) => systemField(n, n === 'created_by' ? { ref: 'users' } : {}))];
// What set_fields and create_record may set: fields a client may write (not read-only
// in the metadata), neither passwords nor JSON.
export const settableFields = (e) => e.fields.filter((f) => !f.readonly && f.type !== 'password' && f.type !== 'json');
// The field of a created record that points back at the rule's record: a reference,
// or an X_id beside an X_type naming the entity (an activity's related_id). Those
// pointing at the rule's own entity first.
export function linkFields(target, entity) {
  const te = entityMeta(target);
  if (!te) return [];
  const names = new Set(te.fields.map((f) => f.name));
  const refs = settableFields(te).filter((f) => f.type === 'ref'
    || (f.type === 'string' && f.name.endsWith('_id') && names.has(`${f.name.slice(0, -3)}_type`)));
  return [...refs.filter((f) => f.ref === entity), ...refs.filter((f) => f.ref !== entity)];
}

// ---- conditions: one line per group, `field=value` or `field[op]=value` joined by & ----

export const emptyRow = () => ({ key: newKey(), field: '', op: 'eq', value: '' });
export const emptyGroup = () => ({ key: newKey(), rows: [emptyRow()] });

const filled = (row) => row.field !== '';
// A row's value as the text the list filter reads ('in' takes comma-separated values).
function rowValue(row) {
  if (Array.isArray(row.value)) return row.value.join(',');
  return row.value === null || row.value === undefined ? '' : String(row.value);
}

// The groups as the API's text, and which group each line is (errors name lines).
export function serializeConditions(groups) {
  const lines = [];
  const lineGroup = [];
  groups.forEach((g, i) => {
    const parts = g.rows.filter(filled).map((r) => {
      const key = r.op === 'eq' ? r.field : `${r.field}[${r.op}]`;
      return `${key}=${encodeURIComponent(rowValue(r))}`;
    });
    if (parts.length) {
      lines.push(parts.join('&'));
      lineGroup.push(i);
    }
  });
  return { text: lines.join('\n'), lineGroup };
}

const decode = (s) => decodeURIComponent(s.replace(/\+/g, ' '));

// The text as groups of rows, or null when some line is not one this form can show
// (a field it does not offer, a part it cannot read): the raw text is edited then.
export function parseConditions(text, e) {
  if (!text || !text.trim()) return [emptyGroup()];
  const names = new Set(conditionFields(e).map((f) => f.name));
  const groups = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const rows = [];
    for (const part of line.trim().split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      if (eq < 0) return null;
      const m = /^([A-Za-z0-9_]+)(?:\[([a-z]+)\])?$/.exec(part.slice(0, eq));
      if (!m || !names.has(m[1]) || (m[2] && !OPS.includes(m[2]))) return null;
      let value;
      try { value = decode(part.slice(eq + 1)); } catch { return null; }
      const op = m[2] || 'eq';
      const f = anyField(e, m[1]);
      rows.push({ key: newKey(), field: m[1], op, value: op === 'in' && f.type === 'enum' ? value.split(',').filter(Boolean) : value });
    }
    if (rows.length) groups.push({ key: newKey(), rows });
  }
  return groups.length ? groups : [emptyGroup()];
}

// ---- actions: the API's JSON ⇄ the state of each kind's form ----

// A value in a form: bools as 'true'/'false', numbers as text, lists as they are.
const formValue = (v) => (Array.isArray(v) ? v : v === null || v === undefined ? '' : String(v));
// A form's value as the JSON the rule keeps, by the field's type.
function jsonValue(f, v) {
  if (Array.isArray(v)) return v;
  if (!f) return v;
  if (f.type === 'bool') return v === 'true' ? true : v === 'false' ? false : v;
  if ((f.type === 'int' || f.type === 'percent') && /^-?\d+$/.test(String(v).trim())) return Number(v);
  return v;
}
const rowsOf = (values) => Object.entries(values && typeof values === 'object' ? values : {})
  .map(([field, v]) => ({ key: newKey(), field, value: formValue(v) }));
export const emptyValueRow = () => ({ key: newKey(), field: '', value: '' });

export function newAction(type) {
  const base = { key: newKey(), type };
  switch (type) {
    case 'set_fields': return { ...base, rows: [emptyValueRow()] };
    case 'assign': return { ...base, to: 'user', user_id: '', team_id: '', mode: 'round_robin' };
    case 'create_task': return { ...base, subject: '', due: 'days', due_in_days: '', due_field: '', due_offset_days: '0', assign: 'owner', user_id: '', priority: '' };
    case 'send_email': return { ...base, template_id: '', to: 'record' };
    case 'notify': return { ...base, message: '', to: 'owner', users: [] };
    case 'webhook': return { ...base, url: '' };
    case 'create_record': return { ...base, entity: '', link_field: '', rows: [] };
    default: return base;
  }
}

export function actionState(a) {
  const s = newAction(a?.type);
  switch (a?.type) {
    case 'set_fields': return { ...s, rows: rowsOf(a.values) };
    case 'assign':
      return a.team_id ? { ...s, to: 'team', team_id: a.team_id, mode: a.mode || 'round_robin' } : { ...s, user_id: a.user_id || '' };
    case 'create_task': {
      const due = a.due_field ? 'field' : a.due_in_days !== undefined && a.due_in_days !== null ? 'days' : 'none';
      const user = a.assign_to && a.assign_to !== 'owner';
      return {
        ...s, subject: a.subject || '', due, due_in_days: formValue(a.due_in_days), due_field: a.due_field || '',
        due_offset_days: formValue(a.due_offset_days ?? 0), assign: user ? 'user' : 'owner', user_id: user ? a.assign_to : '',
        priority: a.priority || '',
      };
    }
    case 'send_email': return { ...s, template_id: a.template_id || '', to: a.to || 'record' };
    case 'notify':
      return Array.isArray(a.to) ? { ...s, message: a.message || '', to: 'users', users: a.to } : { ...s, message: a.message || '' };
    case 'webhook': return { ...s, url: a.url || '' };
    case 'create_record': return { ...s, entity: a.entity || '', link_field: a.link_field || '', rows: rowsOf(a.values) };
    default: return { ...s, type: a?.type || '', original: a };
  }
}

const int = (v) => (/^-?\d+$/.test(String(v).trim()) ? Number(v) : v);
const valuesOf = (e, rows) => Object.fromEntries(rows.filter((r) => r.field)
  .map((r) => [r.field, jsonValue(e && e.fields.find((f) => f.name === r.field), r.value)]));

// The action as the API takes it; e is the rule's entity.
export function actionJson(s, e) {
  switch (s.type) {
    case 'set_fields': return { type: s.type, values: valuesOf(e, s.rows) };
    case 'assign':
      return s.to === 'team' ? { type: s.type, team_id: s.team_id, mode: s.mode } : { type: s.type, user_id: s.user_id };
    case 'create_task': {
      const a = { type: s.type, subject: s.subject };
      if (s.due === 'days') a.due_in_days = int(s.due_in_days);
      if (s.due === 'field') {
        a.due_field = s.due_field;
        a.due_offset_days = s.due_offset_days === '' ? 0 : int(s.due_offset_days);
      }
      if (s.assign === 'user') a.assign_to = s.user_id;
      if (s.priority) a.priority = s.priority;
      return a;
    }
    case 'send_email': return { type: s.type, template_id: s.template_id, to: s.to };
    case 'notify': return { type: s.type, message: s.message, to: s.to === 'users' ? s.users : 'owner' };
    case 'webhook': return { type: s.type, url: s.url.trim() };
    case 'create_record': {
      const a = { type: s.type, entity: s.entity, values: valuesOf(entityMeta(s.entity), s.rows) };
      if (s.link_field) a.link_field = s.link_field;
      return a;
    }
    default: return s.original;
  }
}

// What a form still lacks before it is sent (an i18n key), or null.
export function actionGap(s) {
  const blank = (v) => v === null || v === undefined || String(v).trim() === '';
  switch (s.type) {
    case 'set_fields': return s.rows.some((r) => r.field) ? null : 'wf.gap.fields';
    case 'assign': return blank(s.to === 'team' ? s.team_id : s.user_id) ? (s.to === 'team' ? 'wf.gap.team' : 'wf.gap.user') : null;
    case 'create_task':
      if (blank(s.subject)) return 'wf.gap.subject';
      if (s.due === 'days' && !/^-?\d+$/.test(String(s.due_in_days).trim())) return 'wf.gap.dueDays';
      if (s.due === 'field' && blank(s.due_field)) return 'wf.gap.dueField';
      if (s.due === 'field' && !blank(s.due_offset_days) && !/^-?\d+$/.test(String(s.due_offset_days).trim())) return 'wf.gap.dueOffset';
      return s.assign === 'user' && blank(s.user_id) ? 'wf.gap.user' : null;
    case 'send_email': return blank(s.template_id) ? 'wf.gap.template' : null;
    case 'notify':
      if (blank(s.message)) return 'wf.gap.message';
      return s.to === 'users' && !s.users.length ? 'wf.gap.users' : null;
    case 'webhook': return blank(s.url) ? 'wf.gap.url' : null;
    case 'create_record': return blank(s.entity) ? 'wf.gap.entity' : null;
    default: return null;
  }
}

// ---- a 422 answer, sorted by where its messages belong ----

const LINE = /^(?:line (\d+): |第 (\d+) 行：)/;
const ACTION = /^(?:action (\d+): |第 (\d+) 个动作：)/;

// {fields: {field: [message]}, groups: {index: [message]}, conditions: [message],
//  actions: {index: [message]}, actionList: [message]}: a condition's line is its group
// (lineGroup: serializeConditions'), an action's number its place in the list.
export function sortErrors(problem, lineGroup) {
  const out = { fields: {}, groups: {}, conditions: [], actions: {}, actionList: [] };
  const push = (obj, k, v) => { (obj[k] = obj[k] || []).push(v); };
  for (const e of problem?.errors || []) {
    const msg = e.message || '';
    if (e.field === 'conditions') {
      const m = LINE.exec(msg);
      const g = m && lineGroup ? lineGroup[Number(m[1] || m[2]) - 1] : undefined;
      if (g !== undefined) push(out.groups, g, msg.slice(m[0].length));
      else out.conditions.push(msg);
    } else if (e.field === 'actions') {
      const m = ACTION.exec(msg);
      if (m) push(out.actions, Number(m[1] || m[2]) - 1, msg.slice(m[0].length));
      else out.actionList.push(msg);
    } else {
      push(out.fields, e.field || '', msg);
    }
  }
  return out;
}
