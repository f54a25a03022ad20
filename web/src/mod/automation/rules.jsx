// Administration › Automation › Rules: the workflow rule builder (the automation
// module's tab, loaded with automation.jsx on its first visit), at
// /admin/automation/rules:
//  * the rules, each with its records, its trigger in words, whether it is active, its
//    runs and last run; "Run time-based rules now" (POST /jobs workflows.timed, read
//    again until done);
//  * /admin/automation/rules/new and …/<id>/edit: a guided form — the records watched,
//    the trigger with what it needs (a field, a value it changes to, a date field, how
//    long before or after, how long without activity), the conditions as groups of
//    rows (any group, all rows of one; the API's text one line per group), the actions
//    in order, each kind with its own small form; a 422 answer's messages beside their
//    inputs, a condition line's by its group and an action's by that action;
//  * /admin/automation/rules/<id>: the rule in words, Edit, switch on or off, Delete,
//    "Try on a record" (a dry run: POST /workflows/<id>/try) and its run log (GET
//    /workflow_runs?workflow_id=…, newest first, a page at a time, by status; read
//    again every few seconds while a run's background actions wait).
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { EnumName, FieldInput, refOf } from '../../fields.jsx';
import { addStrings, entityLabel, enumLabel, fieldLabel, formatNumber, getLang, sentence, t } from '../../i18n.js';
import { Link, navigate, recordPath } from '../../router.js';
import { canRead, entityMeta, fieldMeta, recordTitle, searchable, useAll, useTitle } from '../../state.js';
import { errorText, flash, Loading, Notice, useFetch } from '../../ui.jsx';
import * as rulesStrings from './rules-i18n.js';
import { useLog } from './log.js';
import {
  actionGap, actionJson, actionState, anyField, changeFields, conditionFields, dateFields, DIRECTIONS, emptyGroup,
  emptyRow, emptyValueRow, KINDS, linkFields, MAX_ACTIONS, MAX_CONDITIONS, MAX_GROUPS, MODES, newAction, OPS,
  parseConditions, ruleEntities, serializeConditions, settableFields, sortErrors, TIMED, TRIGGERS, UNITS,
} from './rules-model.js';
import {
  ActionText, ConditionsText, EntityName, kindLabel, TriggerText, Val, When, wfField,
} from './rules-words.jsx';

addStrings(rulesStrings); // before any of these screens renders: they load together

export const RULES = '/admin/automation/rules';
const LIST_PAGE = 100;
const POLL_MS = 3000;
const JOB_POLL_MS = 500;
const JOB_WAIT_MS = 60000;

const wfLabel = (name) => fieldLabel(wfField(name));
const runField = (name) => fieldMeta('workflow_runs', name) || { name, label: name };
const runLabel = (name) => fieldLabel(runField(name));
const byLabel = (list) => [...list].sort((a, b) => entityLabel(a).localeCompare(entityLabel(b), getLang()));
// Server text kept in English (a run's messages): marked as such for screen readers
// and for the untranslated-text checks.
const serverText = (s) => (/^[\x00-\x7f]*$/.test(s) ? <span lang="en">{s}</span> : s);
const tryMessage = (s) => (s === 'would run after the change is saved' ? t('wf.tryLater') : serverText(s));

function ActiveTag({ rule }) {
  return rule.active === false ? <span class="tag au-off">{t('au.off')}</span> : <span class="tag au-active">{t('wf.on')}</span>;
}

// ---- the rules and the time-based check ----

function RuleList({ tick }) {
  const [rows, setRows] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const query = { sort: 'name', limit: LIST_PAGE };
  useFetch(() => api.get('/workflows', query), [tick], (r) => { setRows(r.data); setCursor(r.next_cursor); }, setError);
  async function more() {
    try {
      const r = await api.get('/workflows', { ...query, cursor });
      setRows((old) => [...old, ...r.data]);
      setCursor(r.next_cursor);
    } catch (err) { setError(err); }
  }
  return (
    <section class="panel" aria-labelledby="wf-rules-h">
      <div class="toolbar">
        <h3 id="wf-rules-h">{t('wf.rules')}</h3>
        <button type="button" class="primary" onClick={() => navigate(`${RULES}/new`)}>{t('wf.new')}</button>
      </div>
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {!rows ? (!error && <Loading />) : !rows.length ? <p class="muted">{t('wf.none')}</p> : (
        <div class="table-wrap">
          <table aria-labelledby="wf-rules-h">
            <thead>
              <tr>
                <th scope="col">{wfLabel('name')}</th><th scope="col">{wfLabel('entity')}</th>
                <th scope="col">{wfLabel('trigger')}</th><th scope="col">{wfLabel('active')}</th>
                <th scope="col" class="num">{wfLabel('runs')}</th><th scope="col">{wfLabel('last_run_at')}</th>
              </tr>
            </thead>
            <tbody>{rows.map((r) => (
              <tr data-rule={r.id}>
                <th scope="row">
                  <Link href={`${RULES}/${r.id}`}>{r.name}</Link>
                  {r.description && <div class="muted small wf-desc">{r.description}</div>}
                </th>
                <td><EntityName name={r.entity} /></td>
                <td><TriggerText rule={r} /></td>
                <td><ActiveTag rule={r} /></td>
                <td class="num">{formatNumber(r.runs || 0)}</td>
                <td><When at={r.last_run_at} /></td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
      {rows && cursor && <div class="actions"><button type="button" onClick={more}>{t('list.loadMore')}</button></div>}
    </section>
  );
}

// Queues the time-based rules' check (the one every minute runs) and waits for it.
function TimedPanel({ onDone }) {
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState(null);
  const alive = useRef(true);
  useEffect(() => () => { alive.current = false; }, []);
  async function run() {
    setBusy(true);
    setMsg(null);
    try {
      const job = await api.post('/jobs', { kind: 'workflows.timed' });
      const end = Date.now() + JOB_WAIT_MS;
      let j = job;
      while (alive.current && !['done', 'failed'].includes(j.state) && Date.now() < end) {
        await new Promise((r) => setTimeout(r, JOB_POLL_MS));
        j = await api.get(`/jobs/${job.id}`);
      }
      if (!alive.current) return;
      if (j.state === 'done') {
        setMsg({ kind: 'info', text: t('wf.timedDone') });
        onDone();
      } else if (j.state === 'failed') {
        let why = j.result;
        try { why = JSON.parse(j.result).error || j.result; } catch { /* as it is */ }
        setMsg({ kind: 'error', text: sentence('wf.timedFailed', { why: serverText(String(why || '—')) }) });
      } else {
        setMsg({ kind: 'warn', text: t('wf.timedSlow') });
      }
    } catch (err) {
      if (alive.current) setMsg({ kind: 'error', text: errorText(err) });
    } finally {
      if (alive.current) setBusy(false);
    }
  }
  return (
    <section class="panel" aria-labelledby="wf-timed-h">
      <h3 id="wf-timed-h">{t('wf.timed')}</h3>
      <p class="muted small">{t('wf.timedNote')}</p>
      <div class="actions">
        <button type="button" disabled={busy} onClick={run}>{busy ? t('wf.timedRunning') : t('wf.timedRun')}</button>
      </div>
      <div aria-live="polite">
        {msg && <Notice kind={msg.kind} onClose={() => setMsg(null)}>{msg.text}</Notice>}
      </div>
    </section>
  );
}

function RulesOverview() {
  const [tick, setTick] = useState(0);
  return (
    <section class="automation" aria-labelledby="au-h">
      <div class="toolbar"><h2 id="au-h">{t('au.title')}</h2></div>
      <p class="muted">{t('wf.note')}</p>
      <RuleList tick={tick} />
      <TimedPanel onDone={() => setTick((n) => n + 1)} />
    </section>
  );
}

// ---- inputs of values: a field's own control where practical, else text ----

// mode: 'trigger' (empty: any value), 'cond' (a condition's value), 'set' (a value an
// action sets: text may hold {{field}}).
function ValueInput({ id, f, value, onChange, mode, invalid = false, describedBy }) {
  const common = { id, 'aria-invalid': invalid, 'aria-describedby': describedBy };
  const str = value === null || value === undefined ? '' : String(value);
  const text = (ev) => onChange(ev.currentTarget.value);
  const empty = mode === 'trigger' ? t('wf.anyValue') : t('form.choose');
  if (f && f.type === 'enum' && !(str.includes('{{'))) {
    return (
      <select {...common} value={str} onChange={text}>
        <option value="">{empty}</option>
        {str && !(f.enum || []).includes(str) && <option value={str}>{str}</option>}
        {(f.enum || []).map((x) => <option value={x}><EnumName field={f} value={x} /></option>)}
      </select>
    );
  }
  if (f && f.type === 'bool') {
    return (
      <select {...common} value={str} onChange={text}>
        <option value="">{empty}</option>
        <option value="true">{t('yes')}</option>
        <option value="false">{t('no')}</option>
      </select>
    );
  }
  if (f && (refOf(f) || ['multi_enum', 'multi_ref', 'datetime'].includes(f.type)) && !str.includes('{{')) {
    const field = refOf(f) ? { ...f, type: f.type === 'multi_ref' ? 'multi_ref' : 'ref', ref: refOf(f), required: false } : { ...f, required: false };
    return <FieldInput id={id} field={field} value={value} onChange={onChange} invalid={invalid} describedBy={describedBy} />;
  }
  if (f && f.type === 'date' && !str.includes('{{')) return <input {...common} type="date" value={str} onInput={text} />;
  if (f && f.type === 'text' && mode === 'set') return <textarea {...common} rows={2} value={str} onInput={text} />;
  const numeric = f && ['int', 'percent', 'money'].includes(f.type);
  return <input {...common} type="text" inputMode={numeric && mode !== 'set' ? 'decimal' : undefined} maxLength={f?.maxlen}
    autocomplete="off" value={str} onInput={text} />;
}

// A select of fields (by label), keeping a chosen field that is no longer offered.
function FieldSelect({ id, fields, value, onChange, invalid, describedBy, entity }) {
  return (
    <select id={id} value={value} aria-invalid={invalid} aria-describedby={describedBy} onChange={(ev) => onChange(ev.currentTarget.value)}>
      <option value="">{t('form.choose')}</option>
      {value && !fields.some((f) => f.name === value) && <option value={value}>{t('wf.unknownField', { name: value, entity })}</option>}
      {fields.map((f) => <option value={f.name}>{fieldLabel(f)}</option>)}
    </select>
  );
}

// A select of users (the active ones, and the one chosen).
function UserSelect({ id, value, onChange, invalid }) {
  const users = useAll('users');
  const e = entityMeta('users');
  return (
    <select id={id} value={value} aria-invalid={invalid} onChange={(ev) => onChange(ev.currentTarget.value)}>
      <option value="">{t('form.choose')}</option>
      {(users || []).filter((u) => u.active !== false || u.id === value).map((u) => <option value={u.id}>{recordTitle(e, u)}</option>)}
    </select>
  );
}

// ---- the form ----

function draftOf(rule) {
  const e = rule && entityMeta(rule.entity);
  const groups = rule ? (e ? parseConditions(rule.conditions, e) : null) : [emptyGroup()];
  return {
    name: rule?.name || '', description: rule?.description || '', active: rule ? rule.active !== false : true,
    entity: rule?.entity || '', trigger: rule?.trigger || 'created', trigger_field: rule?.trigger_field || '',
    trigger_value: rule?.trigger_value ?? '',
    offset_amount: rule?.offset_amount === null || rule?.offset_amount === undefined ? '' : String(rule.offset_amount),
    offset_unit: rule?.offset_unit || 'days', offset_direction: rule?.offset_direction || 'before',
    raw: groups ? null : rule.conditions || '', groups: groups || [emptyGroup()],
    actions: (Array.isArray(rule?.actions) ? rule.actions : []).map(actionState),
  };
}

const whole = (v) => (/^-?\d+$/.test(String(v).trim()) ? Number(v) : v);

// The rule as the API takes it; lineGroup: the group each line of the conditions is.
function definitionOf(d) {
  const e = entityMeta(d.entity);
  const cond = d.raw !== null ? { text: d.raw.trim(), lineGroup: null } : serializeConditions(d.groups);
  const trig = d.trigger;
  const body = {
    name: d.name.trim(), description: d.description.trim() || null, active: d.active, entity: d.entity, trigger: trig,
    trigger_field: trig === 'field_changed' || trig === 'date' ? d.trigger_field || null : null,
    trigger_value: trig === 'field_changed' && d.trigger_field && String(d.trigger_value) !== '' ? String(d.trigger_value) : null,
    offset_amount: TIMED.has(trig) && String(d.offset_amount).trim() !== '' ? whole(d.offset_amount) : null,
    conditions: cond.text || null,
    actions: d.actions.map((a) => actionJson(a, e)),
  };
  if (TIMED.has(trig)) body.offset_unit = d.offset_unit;
  if (trig === 'date') body.offset_direction = d.offset_direction;
  return { body, lineGroup: cond.lineGroup };
}

const sameValue = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const NO_ERRORS = { fields: {}, groups: {}, conditions: [], actions: {}, actionList: [] };
const MAIN = ['name', 'entity', 'active', 'description', 'trigger', 'trigger_field', 'trigger_value', 'offset_amount',
  'offset_unit', 'offset_direction'];

function RuleForm({ rule, onSaved, onCancel, onReload }) {
  const creating = !rule;
  const [d, setD] = useState(() => draftOf(rule));
  const [errors, setErrors] = useState(NO_ERRORS);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const [addKind, setAddKind] = useState('set_fields');
  const [focusKey, setFocusKey] = useState(null);
  const [focusError, setFocusError] = useState(0);
  const formRef = useRef(null);
  const e = entityMeta(d.entity);
  // Reloaded after a 412: what was typed stays, and goes over the new version.
  useEffect(() => { if (problem?.status === 412) setProblem(null); }, [rule?.version]);

  useEffect(() => {
    if (!focusKey) return;
    formRef.current?.querySelector(`[data-action="${focusKey}"] :is(input, select, textarea)`)?.focus();
    setFocusKey(null);
  }, [focusKey]);
  useEffect(() => {
    if (!focusError) return;
    const el = formRef.current?.querySelector('[aria-invalid="true"]') || formRef.current?.querySelector('.field-error, [role=alert]');
    if (el) {
      if (!el.matches('input, select, textarea')) el.setAttribute('tabindex', '-1');
      el.focus();
    }
  }, [focusError]);

  const set = (k, v) => {
    setD((old) => ({ ...old, [k]: v }));
    if (errors.fields[k]) setErrors((old) => ({ ...old, fields: { ...old.fields, [k]: null } }));
  };
  // The records change: what named fields of the old ones is cleared.
  function setEntity(name) {
    const ne = entityMeta(name);
    const has = (f) => ne && !!anyField(ne, f);
    setD((old) => ({
      ...old, entity: name,
      trigger_field: has(old.trigger_field) ? old.trigger_field : '', trigger_value: has(old.trigger_field) ? old.trigger_value : '',
      groups: old.groups.map((g) => ({ ...g, rows: g.rows.map((r) => (has(r.field) ? r : { ...r, field: '', value: '' })) })),
      actions: old.actions.map((a) => (a.type === 'set_fields' ? { ...a, rows: a.rows.map((r) => (has(r.field) ? r : { ...r, field: '', value: '' })) } : a)),
    }));
    if (errors.fields.entity) setErrors((old) => ({ ...old, fields: { ...old.fields, entity: null } }));
  }
  function setTrigger(trig) {
    setD((old) => {
      const oe = entityMeta(old.entity);
      const f = anyField(oe, old.trigger_field);
      const keep = trig === 'field_changed' || (trig === 'date' && f && (f.type === 'date' || f.type === 'datetime'));
      return { ...old, trigger: trig, trigger_field: keep ? old.trigger_field : '', trigger_value: trig === 'field_changed' ? old.trigger_value : '' };
    });
    setErrors((old) => ({ ...old, fields: { ...old.fields, trigger: null, trigger_field: null, offset_amount: null } }));
  }

  // Conditions.
  const setGroups = (fn, gi) => {
    setD((old) => ({ ...old, groups: fn(old.groups) }));
    if (gi !== undefined && errors.groups[gi]) setErrors((old) => ({ ...old, groups: { ...old.groups, [gi]: null } }));
  };
  const setRow = (gi, ri, patch) => setGroups((gs) => gs.map((g, i) => (i !== gi ? g
    : { ...g, rows: g.rows.map((r, j) => (j === ri ? { ...r, ...patch } : r)) })), gi);
  // Actions.
  const setAction = (i, patch) => {
    setD((old) => ({ ...old, actions: old.actions.map((a, j) => (j === i ? { ...a, ...patch } : a)) }));
    if (errors.actions[i]) setErrors((old) => ({ ...old, actions: { ...old.actions, [i]: null } }));
  };
  const moveAction = (i, by) => {
    setD((old) => {
      const list = [...old.actions];
      const [a] = list.splice(i, 1);
      list.splice(i + by, 0, a);
      return { ...old, actions: list };
    });
    setErrors((old) => ({ ...old, actions: {} })); // numbers no longer match
  };
  const removeAction = (i) => {
    setD((old) => ({ ...old, actions: old.actions.filter((_, j) => j !== i) }));
    setErrors((old) => ({ ...old, actions: {} }));
  };
  function addAction() {
    const a = newAction(addKind);
    setD((old) => ({ ...old, actions: [...old.actions, a] }));
    setErrors((old) => ({ ...old, actionList: [] }));
    setFocusKey(a.key);
  }

  async function submit(ev) {
    ev.preventDefault();
    setProblem(null);
    const found = { ...NO_ERRORS, fields: {}, actions: {} };
    if (!d.name.trim()) found.fields.name = [t('form.required')];
    if (!d.entity) found.fields.entity = [t('form.required')];
    if (d.entity && !d.actions.length) found.actionList = [t('wf.gap.noAction')];
    d.actions.forEach((a, i) => { const gap = actionGap(a); if (gap) found.actions[i] = [t(gap)]; });
    if (Object.keys(found.fields).length || found.actionList.length || Object.keys(found.actions).length) {
      setErrors(found);
      setFocusError((n) => n + 1);
      return;
    }
    const { body, lineGroup } = definitionOf(d);
    let send = body;
    if (!creating) {
      send = {};
      for (const [k, v] of Object.entries(body)) if (!sameValue(v, rule[k])) send[k] = v;
      if (!Object.keys(send).length) { onSaved(rule); return; }
    } else {
      for (const k of Object.keys(send)) if (send[k] === null) delete send[k];
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const r = creating ? await api.post('/workflows', send) : await api.patch(`/workflows/${rule.id}`, send, { version: rule.version });
      onSaved(r);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setProblem(err);
      if (err.status === 422) {
        setErrors(sortErrors(err.problem, lineGroup));
        setFocusError((n) => n + 1);
      }
    } finally {
      setBusy(false);
    }
  }

  // An input with its label, help and errors (each error names the field, as the
  // other forms' do).
  const errs = (k) => (errors.fields[k] || []).filter(Boolean);
  const described = (k, help) => [help && `wf-f-${k}-help`, errs(k).length && `wf-f-${k}-error`].filter(Boolean).join(' ') || undefined;
  const fieldBox = (k, label, help, input, wide = false) => (
    <div class={`field ${wide ? 'wide' : ''} ${errs(k).length ? 'has-error' : ''}`}>
      <label for={`wf-f-${k}`}>{label}</label>
      {input}
      {help && <p class="help" id={`wf-f-${k}-help`}>{help}</p>}
      {errs(k).length > 0 && <p class="field-error" id={`wf-f-${k}-error`}>{errs(k).map((m) => `${label} ${m}`).join(' · ')}</p>}
    </div>
  );
  const others = Object.entries(errors.fields).filter(([k, v]) => v && v.length && !MAIN.includes(k));
  const title = creating ? t('wf.newTitle') : t('wf.editTitle', { name: rule.name });
  const trig = d.trigger;
  const tf = anyField(e, d.trigger_field);

  return (
    <form class="wf-form" noValidate onSubmit={submit} aria-labelledby="wf-form-h" ref={formRef}>
      <h3 id="wf-form-h">{title}</h3>
      {problem?.status === 422 && (
        <Notice kind="error">
          {t('form.invalid')}
          {others.length > 0 && <ul>{others.map(([k, v]) => <li>{k}: {v.join(' · ')}</li>)}</ul>}
        </Notice>
      )}
      {problem?.status === 412 && (
        <Notice kind="warn">{t('rec.stale')} <button type="button" onClick={onReload}>{t('rec.reload')}</button></Notice>
      )}
      {problem && ![412, 422].includes(problem.status) && <Notice kind="error">{errorText(problem)}</Notice>}

      <fieldset class="panel wf-part">
        <legend>{t('wf.partRule')}</legend>
        <div class="grid">
          {fieldBox('name', wfLabel('name'), null, (
            <input id="wf-f-name" value={d.name} maxLength={wfField('name').maxlen} autocomplete="off"
              aria-invalid={errs('name').length > 0} aria-describedby={described('name')} onInput={(ev) => set('name', ev.currentTarget.value)} />
          ))}
          {fieldBox('entity', wfLabel('entity'), t('wf.entityHelp'), (
            <select id="wf-f-entity" value={d.entity} aria-invalid={errs('entity').length > 0} aria-describedby={described('entity', true)}
              onChange={(ev) => setEntity(ev.currentTarget.value)}>
              <option value="">{t('form.choose')}</option>
              {d.entity && !e && <option value={d.entity}>{t('au.unknownEntity', { name: d.entity })}</option>}
              {byLabel(ruleEntities()).map((x) => <option value={x.name}>{entityLabel(x)}</option>)}
            </select>
          ))}
          <div class={`field wide ${errs('active').length ? 'has-error' : ''}`}>
            <label class="au-check">
              <input type="checkbox" id="wf-f-active" checked={d.active} aria-describedby="wf-f-active-help"
                onChange={(ev) => set('active', ev.currentTarget.checked)} />
              {' '}{t('wf.activeLabel')}
            </label>
            <p class="help" id="wf-f-active-help">{t('wf.activeHelp')}</p>
            {errs('active').length > 0 && <p class="field-error">{wfLabel('active')} {errs('active').join(' · ')}</p>}
          </div>
          {fieldBox('description', wfLabel('description'), null, (
            <textarea id="wf-f-description" rows={2} value={d.description} aria-invalid={errs('description').length > 0}
              aria-describedby={described('description')} onInput={(ev) => set('description', ev.currentTarget.value)} />
          ), true)}
        </div>
      </fieldset>

      {!e ? <p class="muted wf-pick-first">{t('wf.pickEntity')}</p> : (
        <>
          <fieldset class="panel wf-part wf-trigger">
            <legend>{wfLabel('trigger')}</legend>
            <div class="grid">
              {fieldBox('trigger', t('wf.trigger'), null, (
                <select id="wf-f-trigger" value={trig} aria-invalid={errs('trigger').length > 0} aria-describedby={described('trigger')}
                  onChange={(ev) => setTrigger(ev.currentTarget.value)}>
                  {(wfField('trigger').enum || TRIGGERS).map((x) => <option value={x}>{enumLabel(wfField('trigger'), x)}</option>)}
                </select>
              ))}
              {(trig === 'field_changed' || trig === 'date') && fieldBox('trigger_field', wfLabel('trigger_field'),
                trig === 'date' ? t('wf.dateFieldHelp') : null, (
                  <FieldSelect id="wf-f-trigger_field" entity={entityLabel(e)} value={d.trigger_field}
                    fields={trig === 'date' ? dateFields(e) : changeFields(e)} invalid={errs('trigger_field').length > 0}
                    describedBy={described('trigger_field', trig === 'date')}
                    onChange={(v) => { set('trigger_field', v); set('trigger_value', ''); }} />
                ))}
              {trig === 'field_changed' && d.trigger_field && fieldBox('trigger_value', wfLabel('trigger_value'), t('wf.changedToHelp'), (
                <ValueInput id="wf-f-trigger_value" f={tf} mode="trigger" value={d.trigger_value} invalid={errs('trigger_value').length > 0}
                  describedBy={described('trigger_value', true)} onChange={(v) => set('trigger_value', v)} />
              ))}
              {TIMED.has(trig) && fieldBox('offset_amount', wfLabel('offset_amount'), null, (
                <input id="wf-f-offset_amount" type="number" inputMode="numeric" step="1" min={trig === 'no_activity' ? 1 : 0}
                  max={wfField('offset_amount').max} value={d.offset_amount} aria-invalid={errs('offset_amount').length > 0}
                  aria-describedby={described('offset_amount')} onInput={(ev) => set('offset_amount', ev.currentTarget.value)} />
              ))}
              {TIMED.has(trig) && fieldBox('offset_unit', wfLabel('offset_unit'), null, (
                <select id="wf-f-offset_unit" value={d.offset_unit} aria-invalid={errs('offset_unit').length > 0}
                  aria-describedby={described('offset_unit')} onChange={(ev) => set('offset_unit', ev.currentTarget.value)}>
                  {(wfField('offset_unit').enum || UNITS).map((x) => <option value={x}>{enumLabel(wfField('offset_unit'), x)}</option>)}
                </select>
              ))}
              {trig === 'date' && fieldBox('offset_direction', wfLabel('offset_direction'), null, (
                <select id="wf-f-offset_direction" value={d.offset_direction} aria-invalid={errs('offset_direction').length > 0}
                  aria-describedby={described('offset_direction')} onChange={(ev) => set('offset_direction', ev.currentTarget.value)}>
                  {(wfField('offset_direction').enum || DIRECTIONS).map((x) => <option value={x}>{enumLabel(wfField('offset_direction'), x)}</option>)}
                </select>
              ))}
            </div>
            <p class="wf-words" aria-live="polite">
              <span class="muted">{t('wf.inWords')} </span>
              <TriggerText rule={d} />
            </p>
            {TIMED.has(trig) && <p class="help">{t(trig === 'date' ? 'wf.dateHelp' : 'wf.idleHelp')}</p>}
          </fieldset>

          <Conditions e={e} d={d} errors={errors} setGroups={setGroups} setRow={setRow}
            setRaw={(v) => set('raw', v)} setD={setD} />

          <fieldset class="panel wf-part wf-then">
            <legend>{wfLabel('actions')}</legend>
            <p class="help">{sentence('wf.actionsHelp', { ex: <code>{'{{first_name}}'}</code>, id: <code>{'{{id}}'}</code> })}</p>
            <details class="small">
              <summary>{t('wf.placeholders', { entity: entityLabel(e) })}</summary>
              <ul class="wf-ph">
                {e.fields.filter((f) => f.type !== 'password').map((f) => <li><code>{`{{${f.name}}}`}</code> {fieldLabel(f)}</li>)}
              </ul>
            </details>
            {errors.actionList.length > 0 && (
              <div class="field-error" id="wf-actions-error">{errors.actionList.map((m) => <p>{serverText(m)}</p>)}</div>
            )}
            <ol class="wf-actions">
              {d.actions.map((a, i) => (
                <li key={a.key}>
                  <ActionBox a={a} i={i} n={d.actions.length} e={e} errors={(errors.actions[i] || []).filter(Boolean)}
                    set={(patch) => setAction(i, patch)} move={(by) => moveAction(i, by)} remove={() => removeAction(i)} />
                </li>
              ))}
            </ol>
            {d.actions.length < MAX_ACTIONS && (
              <div class="wf-add">
                <label for="wf-add-kind">{t('wf.addKind')}</label>
                <select id="wf-add-kind" value={addKind} onChange={(ev) => setAddKind(ev.currentTarget.value)}>
                  {KINDS.map((k) => <option value={k}>{kindLabel(k)}</option>)}
                </select>
                <button type="button" onClick={addAction}>{t('wf.addAction')}</button>
              </div>
            )}
          </fieldset>
        </>
      )}

      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{creating ? t('wf.create') : t('rec.save')}</button>
        <button type="button" onClick={onCancel}>{t('rec.cancel')}</button>
      </div>
    </form>
  );
}

// ---- conditions: groups of rows, or the raw text ----

function Conditions({ e, d, errors, setGroups, setRow, setRaw, setD }) {
  const [cannot, setCannot] = useState(false);
  const fields = conditionFields(e);
  const groupErr = (gi) => (errors.groups[gi] || []).filter(Boolean);
  if (d.raw !== null) {
    const asRows = () => {
      const groups = parseConditions(d.raw, e);
      if (groups) { setD((old) => ({ ...old, raw: null, groups })); setCannot(false); } else setCannot(true);
    };
    const bad = errors.conditions.length > 0 || Object.values(errors.groups).some((x) => x && x.length);
    const all = [...errors.conditions, ...Object.values(errors.groups).flat().filter(Boolean)];
    return (
      <fieldset class="panel wf-part wf-conditions">
        <legend>{wfLabel('conditions')}</legend>
        <div class={`field ${bad ? 'has-error' : ''}`}>
          <label for="wf-f-conditions">{t('wf.rawLabel')}</label>
          <textarea id="wf-f-conditions" rows={4} spellcheck={false} value={d.raw} aria-invalid={bad}
            aria-describedby={`wf-f-conditions-help${bad ? ' wf-f-conditions-error' : ''}`} onInput={(ev) => setRaw(ev.currentTarget.value)} />
          <p class="help" id="wf-f-conditions-help">{sentence('wf.rawHelp', { ex: <code>stage=negotiation&amp;amount[gte]=10000</code> })}</p>
          {bad && <div class="field-error" id="wf-f-conditions-error">{all.map((m) => <p>{serverText(m)}</p>)}</div>}
        </div>
        <div class="actions">
          <button type="button" onClick={asRows}>{t('wf.asRows')}</button>
        </div>
        {cannot && <p class="muted small" role="status">{t('wf.cannotRows')}</p>}
      </fieldset>
    );
  }
  const addGroup = () => setGroups((gs) => [...gs, emptyGroup()]);
  return (
    <fieldset class="panel wf-part wf-conditions">
      <legend>{wfLabel('conditions')}</legend>
      <p class="help">{t('wf.condHelp')}</p>
      {errors.conditions.length > 0 && <div class="field-error">{errors.conditions.map((m) => <p>{serverText(m)}</p>)}</div>}
      {d.groups.map((g, gi) => (
        <Fragment key={g.key}>
          {gi > 0 && <p class="wf-or-sep">{t('wf.or')}</p>}
          <fieldset class={`wf-group ${groupErr(gi).length ? 'has-error' : ''}`} data-group={gi + 1}
            aria-describedby={groupErr(gi).length ? `wf-g-${g.key}-error` : undefined}>
            <legend>{t('wf.group', { n: gi + 1 })}</legend>
            {g.rows.map((r, ri) => {
              const f = anyField(e, r.field);
              const id = `wf-c-${g.key}-${r.key}`;
              const values = ['in', 'like'].includes(r.op) && !(r.op === 'in' && f?.type === 'enum');
              return (
                <div class="wf-row" role="group" aria-label={t('wf.condition', { n: ri + 1 })} key={r.key}>
                  <div class="field">
                    <label for={`${id}-field`}>{t('wf.field')}</label>
                    <FieldSelect id={`${id}-field`} fields={fields} value={r.field} entity={entityLabel(e)}
                      onChange={(v) => setRow(gi, ri, { field: v, value: '' })} />
                  </div>
                  <div class="field">
                    <label for={`${id}-op`}>{t('wf.operator')}</label>
                    <select id={`${id}-op`} value={r.op} onChange={(ev) => {
                      const op = ev.currentTarget.value;
                      const reset = op === 'null' || r.op === 'null' || op === 'in' || r.op === 'in';
                      setRow(gi, ri, { op, value: reset ? (op === 'null' ? 'true' : '') : r.value });
                    }}>
                      {OPS.map((op) => <option value={op}>{t(`wf.op.${op}`)}</option>)}
                    </select>
                  </div>
                  <div class="field">
                    <label for={`${id}-value`}>{t('wf.value')}</label>
                    {r.op === 'null' ? (
                      <select id={`${id}-value`} value={String(r.value) === 'false' ? 'false' : 'true'}
                        onChange={(ev) => setRow(gi, ri, { value: ev.currentTarget.value })}>
                        <option value="true">{t('wf.isEmpty')}</option>
                        <option value="false">{t('wf.notEmpty')}</option>
                      </select>
                    ) : r.op === 'in' && f?.type === 'enum' ? (
                      <select id={`${id}-value`} multiple value={Array.isArray(r.value) ? r.value : []}
                        onChange={(ev) => setRow(gi, ri, { value: [...ev.currentTarget.selectedOptions].map((o) => o.value) })}>
                        {(f.enum || []).map((x) => <option value={x}><EnumName field={f} value={x} /></option>)}
                      </select>
                    ) : values ? (
                      <input id={`${id}-value`} type="text" autocomplete="off" value={Array.isArray(r.value) ? r.value.join(',') : r.value}
                        aria-describedby={`${id}-help`} onInput={(ev) => setRow(gi, ri, { value: ev.currentTarget.value })} />
                    ) : (
                      <ValueInput id={`${id}-value`} f={f} mode="cond" value={r.value} onChange={(v) => setRow(gi, ri, { value: v })} />
                    )}
                    {values && <p class="help" id={`${id}-help`}>{t(r.op === 'in' ? 'wf.inHelp' : 'wf.likeHelp')}</p>}
                  </div>
                  <button type="button" class="link wf-remove" aria-label={t('wf.removeCondition', { n: ri + 1, g: gi + 1 })}
                    onClick={() => setGroups((gs) => gs.map((x, i) => (i !== gi ? x
                      : { ...x, rows: x.rows.length > 1 ? x.rows.filter((_, j) => j !== ri) : [emptyRow()] })), gi)}>
                    {t('wf.remove')}
                  </button>
                </div>
              );
            })}
            <div class="actions">
              {g.rows.length < MAX_CONDITIONS && (
                <button type="button" aria-label={t('wf.addConditionTo', { g: gi + 1 })}
                  onClick={() => setGroups((gs) => gs.map((x, i) => (i === gi ? { ...x, rows: [...x.rows, emptyRow()] } : x)), gi)}>
                  {t('wf.addCondition')}
                </button>
              )}
              {d.groups.length > 1 && (
                <button type="button" aria-label={t('wf.removeGroupN', { g: gi + 1 })}
                  onClick={() => setGroups((gs) => gs.filter((_, i) => i !== gi))}>{t('wf.removeGroup')}</button>
              )}
            </div>
            {groupErr(gi).length > 0 && <div class="field-error" id={`wf-g-${g.key}-error`}>{groupErr(gi).map((m) => <p>{serverText(m)}</p>)}</div>}
          </fieldset>
        </Fragment>
      ))}
      {d.groups.length < MAX_GROUPS && (
        <div class="actions"><button type="button" onClick={addGroup}>{t('wf.addGroup')}</button></div>
      )}
    </fieldset>
  );
}

// ---- one action: its kind's small form, moved, removed ----

function ActionBox({ a, i, n, e, errors, set, move, remove }) {
  const id = `wf-a-${a.key}`;
  const label = t('wf.actionN', { n: i + 1, kind: kindLabel(a.type) });
  return (
    <fieldset class={`wf-action ${errors.length ? 'has-error' : ''}`} data-action={a.key} aria-describedby={errors.length ? `${id}-error` : undefined}>
      <legend>{label}</legend>
      <div class="wf-tools">
        <button type="button" class="link" disabled={i === 0} aria-label={t('wf.moveUpN', { n: i + 1 })} onClick={() => move(-1)}>{t('wf.moveUp')}</button>
        <button type="button" class="link" disabled={i === n - 1} aria-label={t('wf.moveDownN', { n: i + 1 })} onClick={() => move(1)}>{t('wf.moveDown')}</button>
        <button type="button" class="link danger" aria-label={t('wf.removeActionN', { n: i + 1 })} onClick={remove}>{t('wf.remove')}</button>
      </div>
      <ActionForm a={a} id={id} e={e} set={set} />
      {errors.length > 0 && <div class="field-error" id={`${id}-error`}>{errors.map((m) => <p>{serverText(m)}</p>)}</div>}
    </fieldset>
  );
}

// Rows of field = value (set_fields; create_record's values), of entity te.
function ValueRows({ id, te, rows, onChange }) {
  const fields = settableFields(te);
  const setRow = (k, patch) => onChange(rows.map((r, j) => (j === k ? { ...r, ...patch } : r)));
  return (
    <div class="wf-rows">
      {rows.map((r, k) => {
        const f = te.fields.find((x) => x.name === r.field);
        const rid = `${id}-r${r.key}`;
        return (
          <div class="wf-row" role="group" aria-label={t('wf.setRow', { n: k + 1 })} key={r.key}>
            <div class="field">
              <label for={`${rid}-field`}>{t('wf.field')}</label>
              <FieldSelect id={`${rid}-field`} fields={fields} value={r.field} entity={entityLabel(te)}
                onChange={(v) => {
                  const nf = te.fields.find((x) => x.name === v);
                  setRow(k, { field: v, value: nf && nf.type.startsWith('multi_') ? [] : '' });
                }} />
            </div>
            <div class="field wf-value">
              <label for={`${rid}-value`}>{t('wf.value')}</label>
              <ValueInput id={`${rid}-value`} f={f} mode="set" value={r.value} onChange={(v) => setRow(k, { value: v })} />
            </div>
            <button type="button" class="link wf-remove" aria-label={t('wf.removeRow', { n: k + 1 })}
              onClick={() => onChange(rows.filter((_, j) => j !== k))}>{t('wf.remove')}</button>
          </div>
        );
      })}
      <div class="actions">
        <button type="button" onClick={() => onChange([...rows, emptyValueRow()])}>{t('wf.addField')}</button>
      </div>
    </div>
  );
}

// A choice between a few options, as radio buttons.
function Choice({ name, legend, value, options, onChange }) {
  return (
    <fieldset class="wf-choice">
      <legend>{legend}</legend>
      <div class="checks">
        {options.map(([v, label]) => (
          <label><input type="radio" name={name} value={v} checked={value === v} onChange={() => onChange(v)} /> {label}</label>
        ))}
      </div>
    </fieldset>
  );
}

function ActionForm({ a, id, e, set }) {
  const box = (k, label, input, help) => (
    <div class="field">
      <label for={`${id}-${k}`}>{label}</label>
      {input}
      {help && <p class="help" id={`${id}-${k}-help`}>{help}</p>}
    </div>
  );
  const text = (k) => (ev) => set({ [k]: ev.currentTarget.value });
  switch (a.type) {
    case 'set_fields':
      return <ValueRows id={id} te={e} rows={a.rows} onChange={(rows) => set({ rows })} />;
    case 'assign':
      return (
        <div class="grid">
          <Choice name={`${id}-to`} legend={t('wf.assignTo')} value={a.to} onChange={(v) => set({ to: v })}
            options={[['user', t('wf.aUser')], ['team', t('wf.aTeam')]]} />
          {a.to === 'user' ? box('user', t('wf.user'), <UserSelect id={`${id}-user`} value={a.user_id} onChange={(v) => set({ user_id: v })} />) : (
            <>
              {box('team', t('wf.team'), <TeamSelect id={`${id}-team`} value={a.team_id} onChange={(v) => set({ team_id: v })} />)}
              {box('mode', t('wf.mode'), (
                <select id={`${id}-mode`} value={a.mode} onChange={text('mode')}>
                  {MODES.map((m) => <option value={m}>{t(`wf.mode.${m}`, { entity: entityLabel(e) })}</option>)}
                </select>
              ))}
            </>
          )}
        </div>
      );
    case 'create_task': {
      const priority = fieldMeta('activities', 'priority');
      return (
        <div class="grid">
          <div class="field wide">
            <label for={`${id}-subject`}>{t('wf.subject')}</label>
            <input id={`${id}-subject`} value={a.subject} autocomplete="off" onInput={text('subject')} />
          </div>
          <Choice name={`${id}-due`} legend={t('wf.due')} value={a.due} onChange={(v) => set({ due: v })}
            options={[['days', t('wf.dueDays')], ['field', t('wf.dueField')], ['none', t('wf.dueNone')]]} />
          {a.due === 'days' && box('days', t('wf.dueInDays'), (
            <input id={`${id}-days`} type="number" step="1" inputMode="numeric" value={a.due_in_days} onInput={text('due_in_days')} />
          ))}
          {a.due === 'field' && box('field', t('wf.dueFieldLabel'), (
            <FieldSelect id={`${id}-field`} fields={dateFields(e)} value={a.due_field} entity={entityLabel(e)} onChange={(v) => set({ due_field: v })} />
          ))}
          {a.due === 'field' && box('offset', t('wf.dueOffset'), (
            <input id={`${id}-offset`} type="number" step="1" inputMode="numeric" value={a.due_offset_days}
              aria-describedby={`${id}-offset-help`} onInput={text('due_offset_days')} />
          ), t('wf.dueOffsetHelp'))}
          <Choice name={`${id}-for`} legend={t('wf.taskFor')} value={a.assign} onChange={(v) => set({ assign: v })}
            options={[['owner', t('wf.theOwnerChoice')], ['user', t('wf.aUser')]]} />
          {a.assign === 'user' && box('user', t('wf.user'), <UserSelect id={`${id}-user`} value={a.user_id} onChange={(v) => set({ user_id: v })} />)}
          {priority && box('priority', fieldLabel(priority), (
            <select id={`${id}-priority`} value={a.priority} onChange={text('priority')}>
              <option value="">{t('wf.defaultPriority')}</option>
              {(priority.enum || []).map((x) => <option value={x}>{enumLabel(priority, x)}</option>)}
            </select>
          ))}
        </div>
      );
    }
    case 'send_email':
      return (
        <div class="grid">
          {box('template', t('wf.template'), <TemplateSelect id={`${id}-template`} value={a.template_id} onChange={(v) => set({ template_id: v })} />,
            t('wf.templateHelp'))}
          {box('to', t('wf.emailTo'), (
            <select id={`${id}-to`} value={a.to} onChange={text('to')}>
              <option value="record">{t('wf.toRecord')}</option>
              <option value="owner">{t('wf.toOwner')}</option>
            </select>
          ))}
        </div>
      );
    case 'notify':
      return (
        <div class="grid">
          <div class="field wide">
            <label for={`${id}-message`}>{t('wf.message')}</label>
            <textarea id={`${id}-message`} rows={2} value={a.message} onInput={text('message')} />
          </div>
          <Choice name={`${id}-to`} legend={t('wf.notifyTo')} value={a.to} onChange={(v) => set({ to: v })}
            options={[['owner', t('wf.theOwnerChoice')], ['users', t('wf.theseUsers')]]} />
          {a.to === 'users' && <UserChecks legend={t('wf.users')} value={a.users} onChange={(users) => set({ users })} />}
        </div>
      );
    case 'webhook':
      return (
        <div class="grid">
          <div class="field wide">
            <label for={`${id}-url`}>{t('wf.url')}</label>
            <input id={`${id}-url`} type="url" inputMode="url" spellcheck={false} autocomplete="off" value={a.url}
              aria-describedby={`${id}-url-help`} onInput={text('url')} />
            <p class="help" id={`${id}-url-help`}>{t('wf.urlHelp')}</p>
          </div>
        </div>
      );
    case 'create_record': {
      const te = entityMeta(a.entity);
      const links = a.entity ? linkFields(a.entity, e.name) : [];
      const setLink = (v) => {
        const patch = { link_field: v };
        // An X_id beside X_type (an activity's related_id): X_type names the rule's records.
        const typeField = v.endsWith('_id') && te?.fields.find((f) => f.name === `${v.slice(0, -3)}_type`);
        if (typeField && te.fields.find((f) => f.name === v)?.type === 'string' && (typeField.enum || []).includes(e.name)
          && !a.rows.some((r) => r.field === typeField.name)) {
          patch.rows = [...a.rows, { ...emptyValueRow(), field: typeField.name, value: e.name }];
        }
        set(patch);
      };
      return (
        <div class="grid">
          {box('entity', t('wf.createEntity'), (
            <select id={`${id}-entity`} value={a.entity} onChange={(ev) => set({ entity: ev.currentTarget.value, link_field: '', rows: [] })}>
              <option value="">{t('form.choose')}</option>
              {byLabel(ruleEntities()).map((x) => <option value={x.name}>{entityLabel(x)}</option>)}
            </select>
          ))}
          {te && box('link', t('wf.linkField'), (
            <FieldSelect id={`${id}-link`} fields={links} value={a.link_field} entity={entityLabel(te)} onChange={setLink} />
          ), t('wf.linkHelp', { entity: entityLabel(e, false) }))}
          {te && <div class="field wide"><ValueRows id={id} te={te} rows={a.rows} onChange={(rows) => set({ rows })} /></div>}
        </div>
      );
    }
    default:
      return <pre><code>{JSON.stringify(a.original)}</code></pre>;
  }
}

function TeamSelect({ id, value, onChange }) {
  const teams = useAll('teams');
  const e = entityMeta('teams');
  return (
    <select id={id} value={value} onChange={(ev) => onChange(ev.currentTarget.value)}>
      <option value="">{t('form.choose')}</option>
      {(teams || []).map((x) => <option value={x.id}>{recordTitle(e, x)}</option>)}
    </select>
  );
}

function TemplateSelect({ id, value, onChange }) {
  const [rows, setRows] = useState(null);
  useFetch(() => api.get('/email_templates', { limit: 500 }), [], (r) => setRows(r.data), () => setRows([]));
  const e = entityMeta('email_templates');
  return (
    <select id={id} value={value} aria-describedby={`${id}-help`} onChange={(ev) => onChange(ev.currentTarget.value)}>
      <option value="">{rows && !rows.length ? t('wf.noTemplates') : t('form.choose')}</option>
      {value && rows && !rows.some((r) => r.id === value) && <option value={value}>{value}</option>}
      {(rows || []).map((r) => <option value={r.id}>{e ? recordTitle(e, r) : r.name}</option>)}
    </select>
  );
}

function UserChecks({ legend, value, onChange }) {
  const users = useAll('users');
  const e = entityMeta('users');
  return (
    <fieldset class="wf-choice wf-users">
      <legend>{legend}</legend>
      <div class="checks">
        {(users || []).filter((u) => u.active !== false || value.includes(u.id)).map((u) => (
          <label><input type="checkbox" checked={value.includes(u.id)}
            onChange={(ev) => onChange(ev.currentTarget.checked ? [...value, u.id] : value.filter((x) => x !== u.id))} /> {recordTitle(e, u)}</label>
        ))}
      </div>
    </fieldset>
  );
}

function NewRule() {
  return (
    <section class="automation" aria-labelledby="au-h">
      <p class="crumb"><Link href={RULES}>{t('wf.back')}</Link></p>
      <h2 id="au-h" class="sr-only">{t('au.title')}</h2>
      <RuleForm onCancel={() => navigate(RULES)} onReload={() => {}}
        onSaved={(r) => { navigate(`${RULES}/${r.id}`); flash(t('wf.created', { name: r.name })); }} />
    </section>
  );
}

function EditRule({ id }) {
  const [rule, setRule] = useState(null);
  const [error, setError] = useState(null);
  useFetch(() => api.get(`/workflows/${id}`), [id], setRule, setError);
  if (error) return <Notice kind="error">{error.status === 404 ? t('rec.notFound') : errorText(error)}</Notice>;
  if (!rule) return <Loading />;
  return (
    <section class="automation" aria-labelledby="au-h">
      <p class="crumb"><Link href={`${RULES}/${id}`}>{t('wf.backTo', { name: rule.name })}</Link></p>
      <h2 id="au-h" class="sr-only">{t('au.title')}</h2>
      <RuleForm rule={rule} key={rule.id} onCancel={() => navigate(`${RULES}/${id}`)}
        onReload={() => api.get(`/workflows/${id}`).then(setRule, setError)}
        onSaved={() => { navigate(`${RULES}/${id}`); flash(t('rec.saved')); }} />
    </section>
  );
}

// ---- one rule: in words, tried, its runs ----

// The record a run or a try is about: its title linked when the user may read that kind
// of record, else its id.
function RunRecord({ entity, id }) {
  const e = entity && entityMeta(entity);
  const title = useTitle(e && canRead(e) && id ? entity : null, id);
  if (!id) return <span class="muted">—</span>;
  if (!e || !canRead(e)) return <code class="small">{id}</code>;
  return <Link href={recordPath(entity, id)}>{title || <code class="small">{id.slice(0, 8)}</code>}</Link>;
}

// What a run or a try did, action by action.
function Detail({ list, message = serverText, ok = 'wf.ok', failed = 'wf.failed' }) {
  if (!list || !list.length) return <span class="muted">—</span>;
  return (
    <ul class="wf-detail">
      {list.map((x) => (
        <li>
          {kindLabel(x.action)}{' '}
          <span class={`tag ${x.ok ? 'wf-ok' : 'au-failed'}`}>{x.ok ? t(ok) : t(failed)}</span>
          {x.message && <span class="small">{' '}{message(x.message)}</span>}
        </li>
      ))}
    </ul>
  );
}

function TryPanel({ rule }) {
  const e = entityMeta(rule.entity);
  const [q, setQ] = useState('');
  const [options, setOptions] = useState(null);
  const [picked, setPicked] = useState(null);
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const seq = useRef(0);
  useEffect(() => {
    if (!e || !canRead(e)) return undefined;
    const n = ++seq.current;
    const text = q.trim();
    if (text && !searchable(text)) { setOptions([]); return undefined; }
    const timer = setTimeout(() => {
      api.get(`/${e.name}`, text ? { q: text, limit: 10 } : { limit: 10, sort: '-updated_at' }).then((r) => {
        if (n === seq.current) setOptions(r.data);
      }, (err) => { if (n === seq.current) setError(err); });
    }, text ? 200 : 0);
    return () => clearTimeout(timer);
  }, [q, rule.entity]);

  async function run(rec) {
    setPicked(rec);
    setResult(null);
    setError(null);
    setBusy(true);
    try {
      setResult(await api.post(`/workflows/${rule.id}/try`, { record_id: rec.id }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  if (!e) return null;
  const title = picked ? recordTitle(e, picked) : '';
  const changes = Object.entries(result?.changes || {});
  return (
    <section class="panel wf-try" aria-labelledby="wf-try-h">
      <h3 id="wf-try-h">{t('wf.try')}</h3>
      <p class="muted small">{t('wf.tryNote')}</p>
      <div class="field">
        <label for="wf-try-q">{t('wf.tryFind', { entity: entityLabel(e) })}</label>
        <input id="wf-try-q" type="search" autocomplete="off" value={q} aria-describedby="wf-try-help"
          onInput={(ev) => setQ(ev.currentTarget.value)} />
        <p class="help" id="wf-try-help">{t(q.trim() ? 'wf.tryMatches' : 'wf.tryRecent')}</p>
      </div>
      {options && (options.length ? (
        <ul class="wf-pick" aria-label={t('wf.tryPick')}>
          {options.map((r) => (
            <li><button type="button" class={picked?.id === r.id ? 'selected' : ''} disabled={busy}
              aria-label={t('wf.tryOn', { title: recordTitle(e, r) })} onClick={() => run(r)}>{recordTitle(e, r)}</button></li>
          ))}
        </ul>
      ) : <p class="muted small">{t('wf.tryNone')}</p>)}
      <div class="wf-result" aria-live="polite">
        {busy && <Loading />}
        {error && <Notice kind="error">{errorText(error)}</Notice>}
        {result && !result.matched && (
          <Notice>{sentence('wf.tryNo', { title: <RunRecord entity={e.name} id={picked.id} /> })}</Notice>
        )}
        {result && result.matched && (
          <div class="notice info stack" role="status">
            <p>{sentence('wf.tryYes', { title: <RunRecord entity={e.name} id={picked.id} /> })}</p>
            {changes.length > 0 ? (
              <table class="wf-changes" aria-label={t('wf.tryChanges', { title })}>
                <thead><tr><th scope="col">{t('wf.field')}</th><th scope="col">{t('wf.before')}</th><th scope="col">{t('wf.after')}</th></tr></thead>
                <tbody>{changes.map(([name, c]) => {
                  const f = anyField(e, name);
                  return (
                    <tr data-field={name}>
                      <th scope="row">{f ? fieldLabel(f) : name}</th>
                      <td><Val f={f} v={c.old} /></td>
                      <td><Val f={f} v={c.new} /></td>
                    </tr>
                  );
                })}</tbody>
              </table>
            ) : <p class="muted small">{t('wf.tryNoChanges')}</p>}
            <p>{t('wf.tryActions')}</p>
            <Detail list={result.actions} message={tryMessage} ok="wf.tryOk" failed="wf.tryFailed" />
          </div>
        )}
      </div>
    </section>
  );
}

function RunLog({ rule, onChanged }) {
  const { rows, cursor, error, status, setStatus, load } = useLog('/workflow_runs', { workflow_id: rule.id }, rule.id);
  // While a run shown waits for its background actions, the log is read again.
  const waiting = (rows || []).some((r) => r.status === 'queued');
  const waited = useRef(false);
  useEffect(() => {
    if (!waiting && waited.current) onChanged();
    waited.current = waiting;
    if (!waiting) return undefined;
    const timer = setInterval(() => load({ keep: true }), POLL_MS);
    return () => clearInterval(timer);
  }, [waiting, rule.id, status]);

  const statuses = runField('status').enum || ['done', 'queued', 'failed', 'depth_limit'];
  const trigger = wfField('trigger');
  return (
    <section class="panel au-log wf-log" aria-labelledby="wf-log-h">
      <h3 id="wf-log-h">{t('wf.log')}</h3>
      <p class="muted small">{t('wf.logNote')}</p>
      <div class="toolbar">
        <label for="wf-log-status">{t('wf.filter')}</label>
        <select id="wf-log-status" value={status} onChange={(ev) => setStatus(ev.currentTarget.value)}>
          <option value="">{t('au.all')}</option>
          {statuses.map((x) => <option value={x}>{enumLabel(runField('status'), x)}</option>)}
        </select>
        <button type="button" onClick={() => { load({ keep: true }); onChanged(); }}>{t('au.refresh')}</button>
      </div>
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {!rows ? (!error && <Loading />) : !rows.length ? <p class="muted">{t(status ? 'wf.noLogWith' : 'wf.noLog')}</p> : (
        <div class="table-wrap">
          <table aria-labelledby="wf-log-h">
            <thead>
              <tr>
                <th scope="col">{t('au.when')}</th><th scope="col">{runLabel('record_id')}</th><th scope="col">{runLabel('trigger')}</th>
                <th scope="col">{runLabel('status')}</th><th scope="col" class="num">{runLabel('depth')}</th><th scope="col">{runLabel('detail')}</th>
              </tr>
            </thead>
            <tbody>{rows.map((r) => (
              <tr data-run={r.id}>
                <td><When at={r.created_at} /></td>
                <td><RunRecord entity={r.entity} id={r.record_id} /></td>
                <td>{enumLabel(trigger, r.trigger)}</td>
                <td><span class={`tag wf-${r.status}`}>{enumLabel(runField('status'), r.status)}</span></td>
                <td class="num">{formatNumber(r.depth ?? 0)}</td>
                <td><Detail list={r.detail} /></td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
      {rows && cursor && <div class="actions"><button type="button" onClick={() => load({ more: true })}>{t('list.loadMore')}</button></div>}
    </section>
  );
}

async function restoreRule(id) {
  try {
    await api.post(`/workflows/${id}/restore`);
    navigate(`${RULES}/${id}`);
    flash(t('rec.restored'));
  } catch (err) {
    flash(errorText(err), { kind: 'error' });
  }
}

function RulePage({ id }) {
  const [rule, setRule] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  useFetch(() => api.get(`/workflows/${id}`), [id], setRule, setError);
  const reload = () => api.get(`/workflows/${id}`).then(setRule, () => {});

  if (error) return <Notice kind="error">{error.status === 404 ? t('rec.notFound') : errorText(error)}</Notice>;
  if (!rule) return <Loading />;

  async function toggle() {
    setBusy(true);
    setNotice(null);
    try {
      const r = await api.patch(`/workflows/${id}`, { active: rule.active === false }, { version: rule.version });
      setRule(r);
      setNotice({ kind: 'info', text: t(r.active === false ? 'wf.switchedOff' : 'wf.switchedOn') });
    } catch (err) {
      setNotice({ kind: 'error', text: err.status === 412 ? t('wf.stale') : errorText(err) });
      if (err.status === 412) reload();
    } finally {
      setBusy(false);
    }
  }
  async function remove() {
    if (!window.confirm(t('wf.deleteConfirm', { name: rule.name }))) return;
    try {
      await api.del(`/workflows/${id}`, { version: rule.version });
      navigate(RULES);
      flash(t('rec.deleted'), { action: { label: t('rec.undo'), run: () => restoreRule(id) } });
    } catch (err) {
      setNotice({ kind: 'error', text: errorText(err) });
    }
  }
  const row = (name, value) => <><dt>{wfLabel(name)}</dt><dd>{value}</dd></>;
  return (
    <section class="automation wf-rule" aria-labelledby="wf-rule-h">
      <p class="crumb"><Link href={RULES}>{t('wf.back')}</Link></p>
      <div class="record-head">
        <div>
          <h2 id="wf-rule-h">{rule.name}</h2>
          <p class="muted small"><EntityName name={rule.entity} /> · <ActiveTag rule={rule} /></p>
        </div>
        <div class="actions">
          <button type="button" onClick={() => navigate(`${RULES}/${id}/edit`)}>{t('rec.edit')}</button>
          <button type="button" disabled={busy} onClick={toggle}>{rule.active === false ? t('wf.switchOn') : t('wf.switchOff')}</button>
          <button type="button" class="danger" onClick={remove}>{t('rec.delete')}</button>
        </div>
      </div>
      <div aria-live="polite">
        {notice && <Notice kind={notice.kind} onClose={() => setNotice(null)}>{notice.text}</Notice>}
      </div>
      {rule.active === false && <Notice kind="warn">{t('wf.inactive')}</Notice>}
      <section class="panel" aria-labelledby="wf-def-h">
        <h3 id="wf-def-h">{t('wf.definition')}</h3>
        <dl class="au-props wf-def">
          {row('entity', <EntityName name={rule.entity} />)}
          {row('trigger', <span class="wf-trigger-words"><TriggerText rule={rule} /></span>)}
          {row('conditions', <div class="wf-cond-words"><ConditionsText rule={rule} /></div>)}
          {row('actions', (
            <ol class="wf-do">{(Array.isArray(rule.actions) ? rule.actions : []).map((a) => <li><ActionText a={a} entity={rule.entity} /></li>)}</ol>
          ))}
          {rule.description && row('description', <span class="pre">{rule.description}</span>)}
          {row('runs', <span class="num">{formatNumber(rule.runs || 0)}</span>)}
          {row('last_run_at', <When at={rule.last_run_at} />)}
        </dl>
      </section>
      <TryPanel rule={rule} />
      <RunLog rule={rule} onChanged={reload} />
    </section>
  );
}

// The rules' part of the tab: id is what follows /admin/automation/rules/ ('new', a
// rule's id), edit whether …/edit follows that.
export function RulesAdmin({ id, edit }) {
  if (id === 'new') return <NewRule />;
  if (id && edit) return <EditRule id={id} key={id} />;
  if (id) return <RulePage id={id} key={id} />;
  return <RulesOverview />;
}
