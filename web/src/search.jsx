// Global search results, grouped by entity (GET /search).
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { entityLabel, t } from './i18n.js';
import { Link, recordPath, useLocation } from './router.js';
import { entityMeta, searchable } from './state.js';
import { errorText, Loading, Notice, useFetch, usePageTitle } from './ui.jsx';

export function SearchPage() {
  const { query } = useLocation();
  const q = (query.get('q') || '').trim();
  const [res, setRes] = useState(null);
  const [error, setError] = useState(null);
  usePageTitle(t('search.title', { q }));
  useFetch(() => {
    setRes(null); setError(null);
    return searchable(q) ? api.get('/search', { q }) : null;
  }, [q], (r) => setRes(r.data), setError);
  const groups = new Map();
  for (const hit of res || []) {
    if (!groups.has(hit.entity)) groups.set(hit.entity, []);
    groups.get(hit.entity).push(hit);
  }
  return (
    <section class="search-results">
      <h1>{t('search.title', { q })}</h1>
      {!searchable(q) && <p class="muted">{t('search.short')}</p>}
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {searchable(q) && !res && !error && <Loading />}
      {res && !res.length && <p>{t('search.none')}</p>}
      {[...groups].map(([entity, hits]) => {
        const e = entityMeta(entity);
        return (
          <section class="panel" aria-labelledby={`s-${entity}`}>
            <h2 id={`s-${entity}`}>{e ? entityLabel(e) : entity} <span class="muted">({hits.length})</span></h2>
            <ul>{hits.map((h) => <li><Link href={recordPath(entity, h.id)}>{h.title}</Link></li>)}</ul>
          </section>
        );
      })}
    </section>
  );
}
