// The knowledge base: /kb lists articles by category (a tree) and search; /kb/a/{id}
// shows one rendered by the server (and rebuilt safely here, html.js), asks whether it
// helped, links its translations and lists its versions (each can be shown and, by
// those who may edit, restored); /kb/new and /kb/a/{id}/edit are the editor, Markdown
// with a preview rendered by the server. Every field of an article is also on its
// record page (/r/kb_articles/{id}), which the generic UI builds from /meta; other
// modules' panels for articles (RECORD_PANELS, place 'reader') show beside it.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { RefName } from '../../fields.jsx';
import { enumLabel, fieldLabel, formatDateTime, t } from '../../i18n.js';
import { Link, navigate, recordPath, useLocation } from '../../router.js';
import { entityMeta, fieldMeta, forget, recordTitle, useAll, useTitle } from '../../state.js';
import { RECORD_PANELS } from '../index.js';
import { errorText, flash, Loading, Notice, useFetch, usePageTitle } from '../../ui.jsx';
import { htmlNodes } from './html.js';
import './kb.css';

const ENTITY = 'kb_articles';
const articlePath = (id) => `/kb/a/${id}`;
const canWrite = (action) => entityMeta(ENTITY)?.permissions[action] !== 'none';

export function KnowledgeBase() {
  const { path, query } = useLocation();
  const [, , kind, id, sub] = path.split('/');
  if (kind === 'new') return <Editor key="new" translationOf={query.get('translation_of')} language={query.get('language')} />;
  if (kind === 'a' && id && sub === 'edit') return <Editor key={id} id={id} />;
  if (kind === 'a' && id) return <Article key={id} id={id} version={query.get('version')} />;
  return <Home q={query.get('q') || ''} category={query.get('category') || ''} status={query.get('status') || ''} />;
}

// ---- the list ----

// Categories as a tree: each with its children, sorted by name as the list came.
function tree(rows) {
  const by = new Map((rows || []).map((r) => [r.id, { r, children: [] }]));
  const top = [];
  for (const n of by.values()) (by.get(n.r.parent_id)?.children || top).push(n);
  return top;
}

function CategoryTree({ nodes, current, link }) {
  const e = entityMeta('kb_categories');
  return (
    <ul>
      {nodes.map((n) => (
        <li key={n.r.id}>
          <Link href={link(n.r.id)} aria-current={current === n.r.id ? 'page' : undefined}>{recordTitle(e, n.r)}</Link>
          {n.children.length > 0 && <CategoryTree nodes={n.children} current={current} link={link} />}
        </li>
      ))}
    </ul>
  );
}

function Home({ q, category, status }) {
  usePageTitle(t('kb.title'));
  const cats = useAll('kb_categories');
  const [text, setText] = useState(q);
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  const statusField = fieldMeta(ENTITY, 'status');
  const link = (over) => {
    const p = new URLSearchParams({ q, category, status, ...over });
    for (const [k, v] of [...p]) if (!v) p.delete(k);
    const qs = p.toString();
    return `/kb${qs ? `?${qs}` : ''}`;
  };
  useFetch(() => api.get(`/${ENTITY}`, { q: q || undefined, category_id: category || undefined, status: status || undefined, limit: 100 }),
    [q, category, status], (r) => { setRows(r.data); setError(null); }, setError);
  return (
    <div class="kb">
      <div class="toolbar">
        <h1>{t('kb.title')}</h1>
        {canWrite('create') && <Link class="button primary" href="/kb/new">{t('kb.new')}</Link>}
      </div>
      <form class="toolbar" role="search" onSubmit={(ev) => { ev.preventDefault(); navigate(link({ q: text.trim() })); }}>
        <label class="sr-only" for="kb-q">{t('kb.search')}</label>
        <input id="kb-q" type="search" value={text} placeholder={t('kb.search')} onInput={(ev) => setText(ev.target.value)} />
        <button type="submit">{t('kb.searchBtn')}</button>
        <label for="kb-status">{t('kb.status')}</label>
        <select id="kb-status" value={status} onChange={(ev) => navigate(link({ status: ev.target.value }))}>
          <option value="">{t('kb.anyStatus')}</option>
          {(statusField?.enum || []).map((v) => <option key={v} value={v}>{enumLabel(statusField, v)}</option>)}
        </select>
      </form>
      <div class="grid kb-grid">
        <nav class="panel kb-cats" aria-label={t('kb.categories')}>
          <h2>{t('kb.categories')}</h2>
          <ul>
            <li><Link href={link({ category: '' })} aria-current={!category ? 'page' : undefined}>{t('kb.allCategories')}</Link></li>
          </ul>
          {cats ? <CategoryTree nodes={tree(cats)} current={category} link={(id) => link({ category: id })} /> : <Loading />}
          {entityMeta('kb_categories')?.permissions.create !== 'none' && <p><Link href="/r/kb_categories">{t('kb.manageCategories')}</Link></p>}
        </nav>
        <section class="panel" aria-label={t('kb.articles')}>
          {error && <Notice kind="error">{errorText(error)}</Notice>}
          {!rows && !error && <Loading />}
          {rows && rows.length === 0 && <p class="muted">{t('kb.none')}</p>}
          {rows && rows.length > 0 && (
            <ul class="kb-list">
              {rows.map((r) => (
                <li key={r.id}>
                  <Link href={articlePath(r.id)}>{r.title}</Link>
                  <span class="tag">{enumLabel(fieldMeta(ENTITY, 'language'), r.language)}</span>
                  {r.status !== 'published' && <span class="tag">{enumLabel(statusField, r.status)}</span>}
                  {r.category_id && <span class="muted small"> · <CategoryName id={r.category_id} /></span>}
                  {r.helpful_count > 0 && <span class="muted small"> · 👍 {r.helpful_count}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}

function CategoryName({ id }) {
  const title = useTitle('kb_categories', id);
  return title || '…';
}

// ---- one article ----

function Feedback({ article }) {
  const [counts, setCounts] = useState([article.helpful_count, article.not_helpful_count]);
  const [voted, setVoted] = useState(null);
  const [error, setError] = useState(null);
  const vote = (helpful) => api.post(`/${ENTITY}/${article.id}/feedback`, { helpful }).then((r) => {
    setCounts([r.helpful_count, r.not_helpful_count]);
    setVoted(helpful);
    setError(null);
  }, setError);
  return (
    <section class="panel kb-feedback" aria-label={t('kb.helpfulQ')}>
      <p>{t('kb.helpfulQ')}{' '}
        <button type="button" aria-pressed={voted === true} onClick={() => vote(true)}>{t('kb.yes')}</button>{' '}
        <button type="button" aria-pressed={voted === false} onClick={() => vote(false)}>{t('kb.no')}</button>
      </p>
      <p class="muted small">{t('kb.helpfulCounts', { yes: counts[0], no: counts[1] })}</p>
      {voted !== null && <Notice kind="success">{t('kb.thanks')}</Notice>}
      {error && <Notice kind="error">{errorText(error)}</Notice>}
    </section>
  );
}

function Translations({ article }) {
  const original = article.translation_of || article.id;
  const [rows, setRows] = useState([]);
  const lang = fieldMeta(ENTITY, 'language');
  useFetch(() => api.get(`/${ENTITY}`, { translation_of: original, limit: 20 }), [original], (r) => setRows(r.data), () => setRows([]));
  const all = [...(article.translation_of ? [{ id: original, original: true }] : []), ...rows.filter((r) => r.id !== article.id)];
  const missing = (lang?.enum || []).filter((l) => l !== article.language && !rows.some((r) => r.language === l) &&
    !(article.translation_of && l !== article.language));
  return (
    <section class="panel" aria-labelledby="kb-tr">
      <h2 id="kb-tr">{t('kb.translations')}</h2>
      <ul>
        {all.map((r) => (
          <li key={r.id}>
            <Link href={articlePath(r.id)}>{r.original ? <><TitleOf id={r.id} /> ({t('kb.original')})</> : r.title}</Link>
            {!r.original && <span class="tag">{enumLabel(lang, r.language)}</span>}
          </li>
        ))}
      </ul>
      {canWrite('create') && missing.map((l) => (
        <p key={l}><Link href={`/kb/new?translation_of=${original}&language=${l}`}>{t('kb.addTranslation', { lang: enumLabel(lang, l) })}</Link></p>
      ))}
    </section>
  );
}

function TitleOf({ id }) {
  return useTitle(ENTITY, id) || '…';
}

function Versions({ article, current }) {
  const [rows, setRows] = useState(null);
  useFetch(() => api.get(`/${ENTITY}/${article.id}/versions`), [article.id, article.version], (r) => setRows(r.data), () => setRows([]));
  return (
    <section class="panel" aria-labelledby="kb-v">
      <h2 id="kb-v">{t('kb.versions')}</h2>
      {!rows ? <Loading /> : (
        <ol class="kb-versions" reversed>
          {rows.map((v) => (
            <li key={v.version}>
              <Link href={`${articlePath(article.id)}?version=${v.version}`} aria-current={String(v.version) === current ? 'page' : undefined}>
                {t('kb.version', { n: v.version })}</Link>{' '}
              <span class="muted small">{t('kb.by', { at: formatDateTime(v.at), who: '' })}{v.user_id && <RefName entity="users" id={v.user_id} />}
                {' · '}{v.changed.map((c) => t(`kb.changed.${c}`)).join(', ')}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Article({ id, version }) {
  const [article, setArticle] = useState(null);
  const [shown, setShown] = useState(null); // {title, html} of the current or the chosen version
  const [error, setError] = useState(null);
  const e = entityMeta(ENTITY);
  usePageTitle(shown?.title || article?.title || t('kb.title'));
  useFetch(() => api.get(`/${ENTITY}/${id}`), [id], (r) => {
    setArticle(r);
    api.post(`/${ENTITY}/${id}/view`).catch(() => {}); // counted once per opening
  }, setError);
  useFetch(() => api.get(version ? `/${ENTITY}/${id}/versions/${version}` : `/${ENTITY}/${id}/html`),
    [id, version, article?.version], (r) => { setShown(r); setError(null); }, setError);
  const restore = () => api.patch(`/${ENTITY}/${id}`, { title: shown.title, body: shown.body }, { version: article.version }).then((r) => {
    setArticle(r);
    flash(t('kb.restored', { n: version }), { kind: 'success' });
    navigate(articlePath(id), { replace: true });
  }, (err) => setError(err));
  if (error) return <Notice kind="error">{errorText(error)}</Notice>;
  if (!article || !shown) return <Loading />;
  const editable = e.permissions.edit !== 'none';
  return (
    <article class="kb-article">
      <p class="crumb"><Link href="/kb">{t('kb.back')}</Link>
        {article.category_id && <> / <Link href={`/kb?category=${article.category_id}`}><CategoryName id={article.category_id} /></Link></>}</p>
      <div class="toolbar">
        <h1>{shown.title}</h1>
        <span class="tag">{enumLabel(fieldMeta(ENTITY, 'language'), article.language)}</span>
        <span class="tag">{enumLabel(fieldMeta(ENTITY, 'status'), article.status)}</span>
        <span class="tag">{enumLabel(fieldMeta(ENTITY, 'visibility'), article.visibility)}</span>
        {editable && <Link class="button" href={`${articlePath(id)}/edit`}>{t('kb.edit')}</Link>}
        <Link href={recordPath(ENTITY, id)}>{t('kb.allFields')}</Link>
      </div>
      {version && (
        <Notice>
          {t('kb.viewing', { n: version })}{' '}
          <Link href={articlePath(id)}>{t('kb.current')}</Link>{' '}
          {editable && <button type="button" onClick={restore}>{t('kb.restore')}</button>}
        </Notice>
      )}
      <div class="grid kb-grid">
        <div>
          <section class="panel kb-body" data-testid="kb-body">
            {shown.html ? htmlNodes(shown.html) : <p class="muted">{t('kb.empty')}</p>}
          </section>
          <p class="muted small">{t('kb.views', { n: article.views + 1 })}</p>
          <Feedback article={article} />
        </div>
        <div>
          <Translations article={article} />
          <Versions article={article} current={version} />
          {RECORD_PANELS.filter((x) => x.place === 'reader' && x.when(e, article)).map((x) => <x.component e={e} record={article} onSaved={setArticle} />)}
        </div>
      </div>
    </article>
  );
}

// ---- the editor ----

const FIELDS = ['title', 'category_id', 'language', 'status', 'visibility', 'tags'];

function Editor({ id, translationOf, language }) {
  const e = entityMeta(ENTITY);
  const cats = useAll('kb_categories');
  const [values, setValues] = useState(id ? null : { title: '', body: '', category_id: '', language: language || 'en',
    status: 'draft', visibility: 'internal', tags: '', translation_of: translationOf || null });
  const [version, setVersion] = useState(null);
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [preview, setPreview] = useState(null);
  usePageTitle(t(id ? 'kb.editTitle' : 'kb.newTitle'));
  useFetch(() => (id ? api.get(`/${ENTITY}/${id}`) : null), [id], (r) => {
    setValues(Object.fromEntries([...FIELDS, 'body'].map((k) => [k, r[k] ?? ''])));
    setVersion(r.version);
  }, setProblem);
  useFetch(() => (translationOf ? api.get(`/${ENTITY}/${translationOf}`) : null), [translationOf],
    (r) => setValues((v) => ({ ...v, category_id: r.category_id || '', visibility: r.visibility, tags: r.tags || '' })), () => {});
  if (!values) return problem ? <Notice kind="error">{errorText(problem)}</Notice> : <Loading />;
  const set = (k) => (ev) => setValues({ ...values, [k]: ev.target.value });
  const showPreview = () => api.post('/kb/render', { body: values.body || '' }).then((r) => { setPreview(r.html); setProblem(null); }, setProblem);
  const save = async (ev) => {
    ev.preventDefault();
    const body = { ...values, category_id: values.category_id || null, tags: values.tags || null, body: values.body || null };
    try {
      const r = id ? await api.patch(`/${ENTITY}/${id}`, body, { version }) : await api.post(`/${ENTITY}`, body);
      forget(ENTITY);
      flash(t('kb.saved'), { kind: 'success' });
      navigate(articlePath(r.id), { replace: !!id });
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.problem?.errors) {
        setErrors(Object.fromEntries(err.problem.errors.map((x) => [x.field, x.message])));
        setProblem(null);
      } else {
        setProblem(err instanceof ApiError && err.status === 412 ? { status: 412, message: t('kb.stale') } : err);
      }
    }
  };
  const field = (name) => fieldMeta(ENTITY, name);
  const input = (name, control) => (
    <div class={`field ${errors[name] ? 'has-error' : ''}`} key={name}>
      <label for={`kb-${name}`}>{fieldLabel(field(name))}</label>
      {control}
      {errors[name] && <p class="field-error" id={`kb-${name}-err`}>{errors[name]}</p>}
    </div>
  );
  const select = (name) => input(name, (
    <select id={`kb-${name}`} value={values[name]} onChange={set(name)} aria-invalid={!!errors[name]}>
      {field(name).enum.map((v) => <option key={v} value={v}>{enumLabel(field(name), v)}</option>)}
    </select>
  ));
  return (
    <form class="kb-editor record-form" onSubmit={save}>
      <div class="toolbar"><h1>{t(id ? 'kb.editTitle' : 'kb.newTitle')}</h1></div>
      {problem && <Notice kind="error">{problem.status === 412 ? problem.message : errorText(problem)}</Notice>}
      {values.translation_of && <p>{fieldLabel(field('translation_of'))}: <Link href={articlePath(values.translation_of)}><TitleOf id={values.translation_of} /></Link></p>}
      <div class="grid">
        {input('title', <input id="kb-title" value={values.title} onInput={set('title')} maxLength={200} aria-invalid={!!errors.title} />)}
        {input('category_id', (
          <select id="kb-category_id" value={values.category_id || ''} onChange={set('category_id')}>
            <option value="">{t('kb.noCategory')}</option>
            {(cats || []).map((c) => <option key={c.id} value={c.id}>{recordTitle(entityMeta('kb_categories'), c)}</option>)}
          </select>
        ))}
        {select('language')}
        {select('status')}
        {select('visibility')}
        {input('tags', <input id="kb-tags" value={values.tags || ''} onInput={set('tags')} maxLength={255} />)}
      </div>
      {input('body', <textarea id="kb-body" rows={16} value={values.body || ''} onInput={set('body')} aria-invalid={!!errors.body} />)}
      <div class="toolbar">
        <button type="button" onClick={() => (preview === null ? showPreview() : setPreview(null))}>{t(preview === null ? 'kb.preview' : 'kb.hidePreview')}</button>
      </div>
      {preview !== null && <section class="panel kb-body" aria-label={t('kb.preview')} data-testid="kb-preview">{htmlNodes(preview)}</section>}
      <div class="sticky-actions">
        <button type="submit" class="primary">{t('kb.save')}</button>{' '}
        <button type="button" onClick={() => (history.length > 1 ? history.back() : navigate('/kb'))}>{t('kb.cancel')}</button>
      </div>
    </form>
  );
}
