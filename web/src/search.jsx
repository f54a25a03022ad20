// Global search results, grouped by entity (GET /search): each hit with a key field, its
// owner, what matched ("Mobile phone: +86 138 5526 0424") and the modules' actions on it
// (RESULT_ACTIONS: "New case" on a customer). A phone number typed any
// way ("138-5526-0424", "0086 13855260424") finds the records holding it.
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { FieldValue } from './fields.jsx';
import { entityLabel, fieldLabel, t } from './i18n.js';
import { openAction, RESULT_ACTIONS } from './mod/index.js';
import { Link, recordPath, useLocation } from './router.js';
import { entityMeta, fieldMeta, searchable } from './state.js';
import { errorText, Loading, Notice, useFetch, usePageTitle } from './ui.jsx';

// Text that reads as a phone number (digits and the signs between them, seven digits or
// more, ASCII or full-width): the server looks it up even when a part of it is a single
// character ("1 415 555 0100"), which text search would refuse.
const phoneLike = (q) => /^[\s+()\-.\d０-９＋（）－]+$/.test(q) && (q.match(/[\d０-９]/g) || []).length >= 7;
const searchableText = (q) => searchable(q) || phoneLike(q);

// "Label: value" of a hit's field, the label in the user's language from /meta.
function HitField({ entity, field: hf, class: cls }) {
  if (!hf) return null;
  const f = fieldMeta(entity, hf.field) || { name: hf.field, label: hf.label, type: 'string' };
  return (
    <span class={cls}>
      <span class="hit-label">{fieldLabel(f)}:</span> <FieldValue field={f} record={{ [f.name]: hf.value }} />
    </span>
  );
}

function Hit({ entity, hit }) {
  return (
    <li class="hit">
      <Link href={recordPath(entity, hit.id)}>{hit.title}</Link>
      {hit.key && <> · <HitField entity={entity} field={hit.key} class="hit-key" /></>}
      {hit.owner_name && <> · <span class="hit-owner">{t('search.owner', { name: hit.owner_name })}</span></>}
      {RESULT_ACTIONS.filter((a) => a.when(entity)).map((a) => (
        <> · <button type="button" class="link" aria-label={`${t(a.label)}: ${hit.title}`}
          onClick={() => openAction(a.action, a.context(entity, hit))}>{t(a.label)}</button></>
      ))}
      {hit.matched && <div class="hit-match muted">{t('search.matched')} <HitField entity={entity} field={hit.matched} /></div>}
    </li>
  );
}

export function SearchPage() {
  const { query } = useLocation();
  const q = (query.get('q') || '').trim();
  const [res, setRes] = useState(null);
  const [error, setError] = useState(null);
  usePageTitle(t('search.title', { q }));
  useFetch(() => {
    setRes(null); setError(null);
    return searchableText(q) ? api.get('/search', { q }) : null;
  }, [q], (r) => setRes(r.data), setError);
  const groups = new Map();
  for (const hit of res || []) {
    if (!groups.has(hit.entity)) groups.set(hit.entity, []);
    groups.get(hit.entity).push(hit);
  }
  return (
    <section class="search-results">
      <h1>{t('search.title', { q })}</h1>
      {!searchableText(q) && <p class="muted">{t('search.short')}</p>}
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {searchableText(q) && !res && !error && <Loading />}
      {res && !res.length && <p>{t('search.none')}</p>}
      {[...groups].map(([entity, hits]) => {
        const e = entityMeta(entity);
        return (
          <section class="panel" aria-labelledby={`s-${entity}`}>
            <h2 id={`s-${entity}`}>{e ? entityLabel(e) : entity} <span class="muted">({hits.length})</span></h2>
            <ul>{hits.map((h) => <Hit entity={entity} hit={h} />)}</ul>
          </section>
        );
      })}
    </section>
  );
}
