// The pipeline board: a column per stage with its count and sums per currency (GET
// /pipeline), deals as cards; dragging a card (or choosing a stage from its menu, for
// keyboards) PATCHes the stage; on failure the card snaps back and the error is shown.
// The columns share the width when it is enough; when it is not, the board scrolls
// sideways and says so: a fade on the side where stages are hidden, and buttons (named,
// reachable by keyboard) that bring the earlier or later stages into view.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { RefName } from '../../fields.jsx';
import { formatDate, formatMoney, formatMoneyByCurrency, formatNumber, stageLabel, t } from '../../i18n.js';
import { Link, recordPath } from '../../router.js';
import { recordTitle, session, useAll } from '../../state.js';
import { errorText, Loading, Notice, usePageTitle } from '../../ui.jsx';

const PER_STAGE = 30;

// Which sides of a scrolling element hide content: {left, right}.
function hidden(el) {
  if (!el) return { left: false, right: false };
  return { left: el.scrollLeft > 1, right: el.scrollLeft + el.clientWidth < el.scrollWidth - 1 };
}

// The board's sideways scrolling: the element's ref, which sides hide stages, and a
// scroll by most of a screen to the left (-1) or right (+1).
function useSideScroll(deps) {
  const ref = useRef(null);
  const [more, setMore] = useState({ left: false, right: false });
  const update = () => {
    const m = hidden(ref.current);
    setMore((cur) => (cur.left === m.left && cur.right === m.right ? cur : m));
  };
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    update();
    el.addEventListener('scroll', update, { passive: true });
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => { el.removeEventListener('scroll', update); ro.disconnect(); };
  }, deps);
  const by = (dir) => {
    const el = ref.current;
    el.scrollBy({ left: dir * Math.max(el.clientWidth * 0.8, 200), behavior: 'smooth' });
  };
  return { ref, more, by };
}

export function PipelinePage() {
  usePageTitle(t('pipe.title'));
  const [filters, setFilters] = useState({ owner_id: '', team_id: '', from: '', to: '' });
  const [stages, setStages] = useState(null);
  const [cards, setCards] = useState({});
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [over, setOver] = useState(null);
  const users = useAll('users');
  const teams = useAll('teams');
  const side = useSideScroll([stages?.length]);

  const params = () => ({
    owner_id: filters.owner_id, team_id: filters.team_id,
    'expected_close_date[gte]': filters.from, 'expected_close_date[lte]': filters.to,
  });
  const loadSums = () => api.get('/pipeline', params()).then((r) => { setStages(r.stages); return r.stages; });
  async function load() {
    try {
      const st = await loadSums();
      const lists = await Promise.all(st.map((s) => api.get('/opportunities', { ...params(), stage: s.stage, sort: '-amount', limit: PER_STAGE })));
      setCards(Object.fromEntries(st.map((s, i) => [s.stage, lists[i].data])));
      setError(null);
    } catch (err) { setError(err); }
  }
  useEffect(() => { load(); }, [JSON.stringify(filters)]);

  async function move(id, from, to) {
    if (from === to) return;
    const card = cards[from].find((c) => c.id === id);
    if (!card) return;
    const change = { stage: to };
    // A lost deal says why: the reason is asked for on the way (Cancel leaves it).
    if (stages.find((s) => s.stage === to)?.outcome === 'lost') {
      const reason = window.prompt(t('pipe.lostReason', { name: card.name }), card.lost_reason || '');
      if (reason === null) { setCards({ ...cards }); return; } // the card's menu shows its stage again
      if (reason.trim()) change.lost_reason = reason.trim();
    }
    const before = cards;
    setCards({ ...cards, [from]: cards[from].filter((c) => c.id !== id), [to]: [{ ...card, stage: to }, ...cards[to]] });
    try {
      const saved = await api.patch(`/opportunities/${id}`, change, { version: card.version });
      setCards((cur) => ({ ...cur, [to]: cur[to].map((c) => (c.id === id ? saved : c)) }));
      const label = stageLabel(stages.find((s) => s.stage === to)) || to;
      setNotice({ kind: 'info', text: t('pipe.moved', { name: card.name, stage: label }) });
      await loadSums();
    } catch (err) {
      setCards(before);
      setNotice({ kind: 'error', text: errorText(err) });
    }
  }

  const set = (k) => (ev) => setFilters({ ...filters, [k]: ev.target.value });
  return (
    <section class="pipeline">
      <div class="toolbar">
        <h1>{t('pipe.title')}</h1>
        <label>{t('pipe.owner')}{' '}
          <select value={filters.owner_id} onChange={set('owner_id')}>
            <option value="">{t('pipe.all')}</option>
            {(users || []).map((u) => <option value={u.id}>{recordTitle(session.byName.users, u)}</option>)}
          </select></label>
        <label>{t('pipe.team')}{' '}
          <select value={filters.team_id} onChange={set('team_id')}>
            <option value="">{t('pipe.all')}</option>
            {(teams || []).map((x) => <option value={x.id}>{x.name}</option>)}
          </select></label>
        <label>{t('pipe.closeFrom')} <input type="date" value={filters.from} onChange={set('from')} /></label>
        <label>{t('pipe.closeTo')} <input type="date" value={filters.to} onChange={set('to')} /></label>
      </div>
      {notice && <Notice kind={notice.kind} onClose={() => setNotice(null)}>{notice.text}</Notice>}
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {!stages && !error && <Loading />}
      <div class={`board-frame${side.more.left ? ' more-left' : ''}${side.more.right ? ' more-right' : ''}`}>
        {side.more.left && (
          <button type="button" class="board-scroll left" aria-label={t('pipe.scrollLeft')} title={t('pipe.scrollLeft')}
            onClick={() => side.by(-1)}>‹</button>
        )}
        {side.more.right && (
          <button type="button" class="board-scroll right" aria-label={t('pipe.scrollRight')} title={t('pipe.scrollRight')}
            onClick={() => side.by(1)}>›</button>
        )}
        <div class="board" ref={side.ref} role="group" aria-label={t('pipe.board')}>
          {(stages || []).map((s) => (
            <section class={`column ${over === s.stage ? 'over' : ''}`} data-stage={s.stage} aria-labelledby={`st-${s.stage}`}
              onDragOver={(ev) => { ev.preventDefault(); ev.dataTransfer.dropEffect = 'move'; setOver(s.stage); }}
              onDragLeave={() => setOver(null)}
              onDrop={(ev) => {
                ev.preventDefault(); setOver(null);
                const [id, from] = (ev.dataTransfer.getData('text/plain') || '').split(' ');
                if (id && from) move(id, from, s.stage);
              }}>
              <header>
                <h2 id={`st-${s.stage}`}>{stageLabel(s)}</h2>
                <p class="stage-count">{t('pipe.count', { n: formatNumber(s.count) })}</p>
                <p class="stage-sum">{formatMoneyByCurrency(s.by_currency, 'amount')}</p>
                <p class="muted small">{t('pipe.weighted', { v: formatMoneyByCurrency(s.by_currency, 'weighted') })}</p>
              </header>
              <ul>
                {(cards[s.stage] || []).map((c) => (
                  <li class="deal" draggable data-id={c.id}
                    onDragStart={(ev) => { ev.dataTransfer.setData('text/plain', `${c.id} ${s.stage}`); ev.dataTransfer.effectAllowed = 'move'; }}>
                    <Link href={recordPath('opportunities', c.id)}>{c.name}</Link>
                    <p class="amount">{formatMoney(c.amount, c.currency)}</p>
                    <p class="muted small">{formatDate(c.expected_close_date)} · <RefName entity="users" id={c.owner_id} /></p>
                    <select aria-label={t('pipe.move', { name: c.name })} value={s.stage} onChange={(ev) => move(c.id, s.stage, ev.target.value)}>
                      {stages.map((x) => <option value={x.stage}>{stageLabel(x)}</option>)}
                    </select>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      </div>
    </section>
  );
}
