// Home: pipeline by stage, forecast by month, leads by source (Chart.js, loaded on
// demand so the other pages stay light), my activities today and overdue, and the
// records changed most recently. The money charts show one currency at a time (amounts
// of different currencies are never added): the one with the most deals, or the one
// chosen when deals are in several.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { entityLabel, enumLabel, formatDateTime, formatMoney, stageLabel, t } from './i18n.js';
import { Link, recordPath } from './router.js';
import { canRead, entityMeta, fieldMeta, recordTitle, session } from './state.js';
import { markPainted, usePageTitle } from './ui.jsx';

const money = (s) => Number(s || 0); // chart heights only; every figure shown as text uses formatMoney
// Distinct colours for the bars of the pipeline and the slices of the pie (cycled).
const PALETTE = ['#3b6fd8', '#2f9e6b', '#d0802a', '#9b59b6', '#c0392b', '#16a3b8', '#7f8c2d', '#e67e9f', '#5d6d7e', '#b7950b'];
const colours = (n) => Array.from({ length: n }, (_, i) => PALETTE[i % PALETTE.length]);
// Money axes: amounts in the chart's currency with the locale's grouping, as every
// figure is written.
const moneyAxis = (cur) => ({ y: { ticks: { callback: (v) => formatMoney(String(v), cur || undefined) } } });
// A total's figures in one currency (its by_currency entry), or none.
const inCurrency = (x, cur) => (x.by_currency || []).find((m) => m.currency === cur) || {};

// The currencies of the pipeline and forecast, the one with the most deals first.
function currenciesOf(pipe, forecast) {
  const n = new Map();
  for (const x of [...(pipe || []), ...(forecast || [])]) {
    for (const m of x.by_currency || []) n.set(m.currency, (n.get(m.currency) || 0) + m.count);
  }
  return [...n.keys()].sort((a, b) => n.get(b) - n.get(a) || (a < b ? -1 : 1));
}

export function Chart({ id, title, config }) {
  const canvas = useRef(null);
  useEffect(() => {
    if (!config) return undefined;
    let chart = null;
    let gone = false;
    import('chart.js/auto').then(({ default: C }) => {
      if (!gone) chart = new C(canvas.current, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } });
    });
    return () => { gone = true; chart?.destroy(); };
  }, [JSON.stringify(config?.data), title]);
  return (
    <section class="card chart" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <div class="canvas-box"><canvas ref={canvas} role="img" aria-label={title} /></div>
    </section>
  );
}

function Activities({ title, list }) {
  return (
    <section class="card" aria-label={title}>
      <h2>{title}</h2>
      {!list ? null : list.length ? (
        <ul class="plain">{list.map((a) => (
          <li><Link href={recordPath('activities', a.id)}>{a.subject}</Link>{' '}
            <span class="muted small">{enumLabel(fieldMeta('activities', 'type'), a.type)} · {formatDateTime(a.start_at || a.due_at)}</span></li>
        ))}</ul>
      ) : <p class="muted">{t('dash.none')}</p>}
    </section>
  );
}

export function Dashboard() {
  usePageTitle(t('dash.title'));
  const [pipe, setPipe] = useState(null);
  const [forecast, setForecast] = useState(null);
  const [leads, setLeads] = useState(null);
  const [today, setToday] = useState(null);
  const [overdue, setOverdue] = useState(null);
  const [recent, setRecent] = useState(null);
  const [chosen, setChosen] = useState(null);
  const me = session.user.id;
  const currencies = currenciesOf(pipe, forecast);
  const cur = currencies.includes(chosen) ? chosen : currencies[0] || null;
  const curName = (c) => enumLabel(fieldMeta('opportunities', 'currency'), c);

  useEffect(() => {
    const ignore = () => null;
    if (canRead(entityMeta('opportunities'))) {
      api.get('/pipeline').then((r) => setPipe(r.stages), ignore);
      api.get('/forecast', { period: 'month' }).then((r) => setForecast(r.periods.slice(0, 12)), ignore);
    }
    const le = entityMeta('leads');
    if (canRead(le)) {
      const sources = [...(le.fields.find((f) => f.name === 'source')?.enum || [])];
      Promise.all([...sources.map((s) => api.get('/leads', { source: s, limit: 1, count: 'true' })),
        api.get('/leads', { 'source[null]': 'true', limit: 1, count: 'true' })])
        .then((rs) => setLeads([...sources, null].map((s, i) => [s, rs[i].total]).filter(([, n]) => n > 0)), ignore);
    }
    if (canRead(entityMeta('activities'))) {
      const s = new Date(); s.setHours(0, 0, 0, 0);
      const e = new Date(s.getTime() + 86400000);
      const base = { owner_id: me, limit: 20 };
      Promise.all([
        api.get('/activities', { ...base, 'start_at[gte]': s.toISOString(), 'start_at[lt]': e.toISOString(), sort: 'start_at' }),
        api.get('/activities', { ...base, 'due_at[gte]': s.toISOString(), 'due_at[lt]': e.toISOString(), 'start_at[null]': 'true', sort: 'due_at' }),
      ]).then(([a, b]) => setToday([...a.data, ...b.data]), ignore);
      api.get('/activities', { ...base, status: 'planned', 'due_at[lt]': new Date().toISOString(), sort: 'due_at' })
        .then((r) => setOverdue(r.data), ignore);
    }
    const ents = ['accounts', 'contacts', 'opportunities', 'leads'].map(entityMeta).filter(canRead);
    Promise.all(ents.map((x) => api.get(`/${x.name}`, { sort: '-updated_at', limit: 5 }).then((r) => r.data.map((rec) => ({ e: x, rec }))).catch(() => [])))
      .then((lists) => setRecent(lists.flat().sort((a, b) => (a.rec.updated_at < b.rec.updated_at ? 1 : -1)).slice(0, 10)));
  }, []);
  // Every card has its data (bench/web-paint.mjs).
  const ready = recent && (!canRead(entityMeta('opportunities')) || (pipe && forecast)) &&
    (!canRead(entityMeta('leads')) || leads) && (!canRead(entityMeta('activities')) || (today && overdue));
  useEffect(() => { if (ready) markPainted('rapport:dashboard-painted'); }, [ready]);

  return (
    <section class="dashboard">
      <div class="toolbar">
        <h1>{t('dash.title')}</h1>
        {currencies.length > 1 && (
          <label>{t('dash.currency')}{' '}
            <select value={cur} onChange={(ev) => setChosen(ev.target.value)}>
              {currencies.map((c) => <option value={c}>{curName(c)}</option>)}
            </select></label>
        )}
      </div>
      <div class="cards">
        {pipe && (
          <Chart id="ch-pipe" title={cur ? t('dash.pipelineIn', { cur: curName(cur) }) : t('dash.pipeline')} config={{
            type: 'bar',
            data: { labels: pipe.map(stageLabel), datasets: [{ label: t('dash.amount'), data: pipe.map((s) => money(inCurrency(s, cur).amount)), backgroundColor: colours(pipe.length) }] },
            options: { scales: moneyAxis(cur), plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => formatMoney(inCurrency(pipe[c.dataIndex], cur).amount || '0.00', cur || undefined) } } } },
          }} />
        )}
        {forecast && (
          <Chart id="ch-fc" title={cur ? t('dash.forecastIn', { cur: curName(cur) }) : t('dash.forecast')} config={{
            type: 'bar',
            data: {
              labels: forecast.map((p) => p.period),
              datasets: [
                { label: t('dash.won'), data: forecast.map((p) => money(inCurrency(p, cur).won)), backgroundColor: '#2f9e6b' },
                { label: t('dash.commit'), data: forecast.map((p) => money(inCurrency(p, cur).commit)), backgroundColor: '#3b6fd8' },
                { label: t('dash.best'), data: forecast.map((p) => money(inCurrency(p, cur).best_case)), backgroundColor: '#a9c1ef' },
                { type: 'line', label: t('dash.weighted'), data: forecast.map((p) => money(inCurrency(p, cur).weighted)), borderColor: '#d0802a', backgroundColor: '#d0802a' },
              ],
            },
            options: { scales: moneyAxis(cur) },
          }} />
        )}
        {leads && (
          <Chart id="ch-leads" title={t('dash.leads')} config={{
            type: 'pie',
            data: { labels: leads.map(([s]) => (s ? enumLabel(fieldMeta('leads', 'source'), s) : t('dash.unknown'))), datasets: [{ data: leads.map(([, n]) => n), backgroundColor: colours(leads.length) }] },
          }} />
        )}
        <Activities title={t('dash.today')} list={today} />
        <Activities title={t('dash.overdue')} list={overdue} />
        <section class="card" aria-label={t('dash.recent')}>
          <h2>{t('dash.recent')}</h2>
          {recent && (recent.length ? (
            <ul class="plain">{recent.map(({ e, rec }) => (
              <li><Link href={recordPath(e.name, rec.id)}>{recordTitle(e, rec)}</Link>{' '}
                <span class="muted small">{entityLabel(e, false)} · {formatDateTime(rec.updated_at)}</span></li>
            ))}</ul>
          ) : <p class="muted">{t('dash.none')}</p>)}
        </section>
      </div>
    </section>
  );
}
