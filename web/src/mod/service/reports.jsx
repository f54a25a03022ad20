// Service reports (GET /cases/reports/...): open cases by age, SLA compliance by queue,
// agent or month, first-response and resolution times, cases by product, type and
// channel, and the backlog by day or week. Each is a chart (the home page's Chart) and,
// next to it, a table of the same figures, so they read without the chart. One queue
// and a range of UTC days filter them all: the backlog covers those days, the other
// reports count the cases reported in them.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { Chart } from '../../dashboard.jsx';
import { addStrings, enumLabel, fieldLabel, formatNumber, t } from '../../i18n.js';
import { entityMeta, fieldMeta, recordTitle, useAll } from '../../state.js';
import { errorText, Loading, Notice, useFetch, usePageTitle } from '../../ui.jsx';
import * as reportStrings from './reports-i18n.js';
import { duration } from './sla.jsx';

addStrings(reportStrings);

const BLUE = '#3b6fd8';
const GREEN = '#2f9e6b';
const ORANGE = '#d0802a';
const PRIORITY_COLOURS = ['#c0392b', '#d0802a', '#3b6fd8', '#7f8c2d'];
const TARGETS = [['first_response', 'svc.response'], ['resolution', 'svc.resolution']];
const stacked = { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } };
const counts = { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } };

// The day after a YYYY-MM-DD date (the end of a range of whole days).
const nextDay = (d) => new Date(Date.parse(`${d}T00:00:00Z`) + 86400e3).toISOString().slice(0, 10);

// One report's figures as a table: a caption, header rows (groups: an optional row
// above of [label, columns spanned]) and rows of cells (the first cell of each row is
// its header).
function Figures({ title, groups, head, rows }) {
  return (
    <div class="card figures">
      <table class="list">
        <caption>{t('svr.figures', { title })}</caption>
        <thead>
          {groups && <tr>{groups.map(([label, span]) => <th scope={label ? 'colgroup' : undefined} colSpan={span}>{label}</th>)}</tr>}
          <tr>{head.map((h) => <th scope="col">{h}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map(([first, ...cells]) => (
            <tr><th scope="row">{first}</th>{cells.map((c) => <td class="num">{c}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// A report: its chart and its table side by side (one above the other when narrow),
// and a note under them.
function Report({ id, title, note, config, ...table }) {
  return (
    <div class="report" id={`${id}-report`}>
      <div class="pair">
        <Chart id={id} title={title} config={config} />
        <Figures title={title} {...table} />
      </div>
      {note && <p class="muted small">{note}</p>}
    </div>
  );
}

function Age({ r }) {
  const prio = fieldMeta('cases', 'priority');
  const labels = r.buckets.map((b) => t(`svr.age.${b.bucket}`));
  return (
    <Report id="svr-age" title={t('svr.age')} config={{
      type: 'bar',
      data: { labels, datasets: r.priorities.map((p, i) => ({ label: enumLabel(prio, p), data: r.buckets.map((b) => b.by_priority[p]), backgroundColor: PRIORITY_COLOURS[i % 4] })) },
      options: stacked,
    }} head={[t('svr.ageCol'), ...r.priorities.map((p) => enumLabel(prio, p)), t('svr.total')]}
    rows={[...r.buckets.map((b, i) => [labels[i], ...r.priorities.map((p) => formatNumber(b.by_priority[p])), formatNumber(b.total)]),
      [t('svr.total'), ...r.priorities.map((p) => formatNumber(r.buckets.reduce((s, b) => s + b.by_priority[p], 0))), formatNumber(r.total)]]} />
  );
}

const percent = (p) => (p === null ? '—' : `${formatNumber(p)}%`);

function Sla({ r, nameOf }) {
  const labels = r.rows.map((x) => nameOf(r.group, x.key));
  const figures = (x) => TARGETS.flatMap(([k]) => [x[k].met, x[k].breached, x[k].open_in_time, x[k].open_breached].map(formatNumber).concat(percent(x[k].compliance_percent)));
  const cols = [t('svr.met'), t('svr.breached'), t('svr.openInTime'), t('svr.openBreached'), t('svr.compliance')];
  return (
    <Report id="svr-sla" title={t('svr.sla')} config={{
      type: 'bar',
      data: { labels, datasets: TARGETS.map(([k, name], i) => ({ label: t('svr.complianceOf', { target: t(name) }), data: r.rows.map((x) => (x[k].compliance_percent === null ? null : Number(x[k].compliance_percent))), backgroundColor: i ? GREEN : BLUE })) },
      options: { scales: { y: { beginAtZero: true, max: 100 } } },
    }} groups={[['', 2], ...TARGETS.map(([, name]) => [t(name), cols.length])]}
    head={[t(`svr.group.${r.group}`), t('svr.cases'), ...TARGETS.flatMap(() => cols)]}
    rows={[...r.rows.map((x, i) => [labels[i], formatNumber(x.cases), ...figures(x)]), [t('svr.total'), formatNumber(r.total.cases), ...figures(r.total)]]} />
  );
}

function Times({ r }) {
  const labels = r.first_response.buckets.map((b) => t(`svr.time.${b.bucket}`));
  const d = (s) => (s === null ? '—' : duration(s));
  const both = (f) => TARGETS.map(([k]) => f(r[k]));
  return (
    <Report id="svr-times" title={t('svr.times')} note={t('svr.timesNote')} config={{
      type: 'bar',
      data: { labels, datasets: TARGETS.map(([k, name], i) => ({ label: t(name), data: r[k].buckets.map((b) => b.count), backgroundColor: i ? GREEN : BLUE })) },
      options: counts,
    }} head={[t('svr.timeCol'), ...TARGETS.map(([, name]) => t(name))]}
    rows={[...labels.map((l, i) => [l, ...both((x) => formatNumber(x.buckets[i].count))]),
      [t('svr.measured'), ...both((x) => formatNumber(x.count))],
      [t('svr.average'), ...both((x) => d(x.average_seconds))],
      [t('svr.median'), ...both((x) => d(x.median_seconds))],
      [t('svr.p90'), ...both((x) => d(x.p90_seconds))]]} />
  );
}

function Breakdown({ id, title, head, list, name }) {
  const labels = list.map(name);
  return (
    <Report id={id} title={title} config={{
      type: 'bar',
      data: { labels, datasets: [
        { label: t('svr.total'), data: list.map((x) => x.total), backgroundColor: BLUE },
        { label: t('svr.open'), data: list.map((x) => x.open), backgroundColor: ORANGE }] },
      options: counts,
    }} head={[head, t('svr.total'), t('svr.open')]} rows={list.map((x, i) => [labels[i], formatNumber(x.total), formatNumber(x.open)])} />
  );
}

function Breakdowns({ r }) {
  const products = r.other_products
    ? [...r.by_product, { ...r.other_products, key: t('svr.otherProducts', { n: formatNumber(r.other_products.products) }) }]
    : r.by_product;
  const enumName = (field) => (x) => (x.key === null ? t('svr.notSet') : enumLabel(fieldMeta('cases', field), x.key));
  const label = (field) => fieldLabel(fieldMeta('cases', field));
  return (
    <>
      <Breakdown id="svr-product" title={t('svr.byProduct')} head={label('product')} list={products}
        name={(x) => (x.key === null ? t('svr.noProduct') : x.key)} />
      <Breakdown id="svr-type" title={t('svr.byType')} head={label('type')} list={r.by_type} name={enumName('type')} />
      <Breakdown id="svr-channel" title={t('svr.byChannel')} head={label('channel')} list={r.by_channel} name={enumName('channel')} />
    </>
  );
}

function Backlog({ r }) {
  const labels = r.periods.map((p) => p.start);
  return (
    <Report id="svr-backlog" title={t('svr.backlog')} note={t('svr.openBefore', { n: formatNumber(r.open_before) })} config={{
      type: 'bar',
      data: { labels, datasets: [
        { label: t('svr.opened'), data: r.periods.map((p) => p.opened), backgroundColor: BLUE },
        { label: t('svr.resolved'), data: r.periods.map((p) => p.resolved), backgroundColor: GREEN },
        { type: 'line', label: t('svr.openAtEnd'), data: r.periods.map((p) => p.open_at_end), borderColor: ORANGE, backgroundColor: ORANGE }] },
      options: counts,
    }} head={[t('svr.start'), t('svr.opened'), t('svr.resolved'), t('svr.openAtEnd')]}
    rows={r.periods.map((p) => [p.start, formatNumber(p.opened), formatNumber(p.resolved), formatNumber(p.open_at_end)])} />
  );
}

export function ServiceReports() {
  usePageTitle(t('svr.title'));
  const queues = useAll('case_queues');
  const users = useAll('users');
  const [f, setF] = useState({ queue: '', from: '', to: '', group: 'queue', period: 'day' });
  const [data, setData] = useState(null);
  const set = (k) => (ev) => setF({ ...f, [k]: ev.currentTarget.value });
  const filters = { queue_id: f.queue, 'reported_at[gte]': f.from && `${f.from}T00:00:00Z`, 'reported_at[lt]': f.to && `${nextDay(f.to)}T00:00:00Z` };
  // Each report on its own: one refused (a backlog range too long) leaves the others.
  useFetch(() => Promise.allSettled([
    api.get('/cases/reports/age', filters),
    api.get('/cases/reports/sla', { ...filters, group: f.group }),
    api.get('/cases/reports/times', filters),
    api.get('/cases/reports/breakdown', filters),
    api.get('/cases/reports/backlog', { queue_id: f.queue, from: f.from, to: f.to, period: f.period }),
  ]), [JSON.stringify(f)], (rs) => {
    const [age, sla, times, breakdown, backlog] = rs.map((r) => (r.status === 'fulfilled' ? r.value : { error: errorText(r.reason) }));
    setData({ age, sla, times, breakdown, backlog });
  }, () => {});

  const nameOf = (group, key) => {
    if (group === 'month') return key ?? t('svr.notSet');
    if (key === null) return t(group === 'queue' ? 'svr.noQueue' : 'svr.noOwner');
    const list = group === 'queue' ? queues : users;
    const found = (list || []).find((x) => x.id === key);
    return found ? recordTitle(entityMeta(group === 'queue' ? 'case_queues' : 'users'), found) : key.slice(0, 8);
  };

  return (
    <section class="page svc-reports">
      <h1>{t('svr.title')}</h1>
      <div class="toolbar" role="group" aria-label={t('svr.title')}>
        <label for="svr-queue">{t('svr.queue')}</label>
        <select id="svr-queue" value={f.queue} onChange={set('queue')}>
          <option value="">{t('svr.allQueues')}</option>
          {(queues || []).map((q) => <option value={q.id}>{q.name}</option>)}
        </select>
        <label for="svr-from">{t('svr.from')}</label>
        <input id="svr-from" type="date" value={f.from} max={f.to || undefined} onChange={set('from')} />
        <label for="svr-to">{t('svr.to')}</label>
        <input id="svr-to" type="date" value={f.to} min={f.from || undefined} onChange={set('to')} />
        <label for="svr-group">{t('svr.groupBy')}</label>
        <select id="svr-group" value={f.group} onChange={set('group')}>
          {['queue', 'owner', 'month'].map((g) => <option value={g}>{t(`svr.group.${g}`)}</option>)}
        </select>
        <label for="svr-period">{t('svr.period')}</label>
        <select id="svr-period" value={f.period} onChange={set('period')}>
          {['day', 'week'].map((p) => <option value={p}>{t(`svr.period.${p}`)}</option>)}
        </select>
      </div>
      <p class="muted small">{t('svr.note')}</p>
      {!data && <Loading />}
      {data && (
        <div class="reports">
          {[[data.age, Age], [data.sla, Sla], [data.times, Times], [data.breakdown, Breakdowns], [data.backlog, Backlog]].map(([r, Shown]) => (
            r.error ? <Notice kind="error">{r.error}</Notice> : <Shown r={r} nameOf={nameOf} />
          ))}
        </div>
      )}
    </section>
  );
}
