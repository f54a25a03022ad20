// Cases and knowledge articles, both ways. On a case's page (CaseArticles, a record
// panel of cases): the articles it links that the user may read (GET
// /cases/{id}/articles), each opening in the knowledge base, unlinked with a button, and
// more linked by searching the knowledge base — all a change of the case's kb_articles;
// on a resolved or closed case, "Create an article" makes a draft from it (POST
// /cases/{id}/article) and opens it in the knowledge base's editor. Beside an article
// (LinkedCases, on its record page and the knowledge base's article page): the cases
// that link it (GET /kb_articles/{id}/cases).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { enumLabel, t } from '../../i18n.js';
import { Link, navigate, recordPath } from '../../router.js';
import { canRead, entityMeta, fieldMeta, forget, searchable } from '../../state.js';
import { errorText, flash, Loading, Notice, useFetch } from '../../ui.jsx';

const KB = 'kb_articles';
const articlePath = (id) => `/kb/a/${id}`;

// A search of the knowledge base for an article to link.
function ArticleSearch({ exclude, onPick }) {
  const [text, setText] = useState('');
  const [rows, setRows] = useState([]);
  useEffect(() => {
    if (!searchable(text)) { setRows([]); return undefined; }
    let current = true;
    const timer = setTimeout(() => {
      api.get(`/${KB}`, { q: text.trim(), limit: 8 }).then((r) => { if (current) setRows(r.data); }, () => {});
    }, 200);
    return () => { current = false; clearTimeout(timer); };
  }, [text]);
  const shown = rows.filter((r) => !exclude.includes(r.id));
  return (
    <div class="refpick">
      <label for="ca-search" class="sr-only">{t('svc.linkSearch')}</label>
      <input id="ca-search" type="search" value={text} autocomplete="off" placeholder={t('svc.linkSearch')}
        onInput={(ev) => setText(ev.target.value)} />
      {shown.length > 0 && (
        <ul class="options" role="listbox" aria-label={t('svc.linkSearch')}>
          {shown.map((a) => (
            <li><button type="button" role="option" onClick={() => { onPick(a.id); setText(''); }}>{a.title}</button></li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function CaseArticles({ e, record, onSaved }) {
  const kb = entityMeta(KB);
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useFetch(() => (canRead(kb) ? api.get(`/cases/${record.id}/articles`) : null), [record.id, record.version],
    (r) => setRows(r.data), () => setRows([]));
  if (!canRead(kb)) return null;
  const ids = record.kb_articles || [];
  const mayEdit = e.permissions.edit !== 'none';
  const change = (next) => api.patch(`/cases/${record.id}`, { kb_articles: next }, { version: record.version })
    .then((r) => { setError(null); onSaved(r); }, setError);
  const done = record.status === 'resolved' || record.status === 'closed';
  async function makeArticle() {
    setBusy(true);
    try {
      const a = await api.post(`/cases/${record.id}/article`);
      forget(KB);
      flash(t('svc.articleMade'), { kind: 'success' });
      navigate(`${articlePath(a.id)}/edit`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  const status = fieldMeta(KB, 'status');
  return (
    <section class="panel case-articles" aria-labelledby="ca-h">
      <h2 id="ca-h">{t('svc.articles')}</h2>
      {!rows ? <Loading /> : rows.length === 0 ? <p class="muted">{t('svc.noArticles')}</p> : (
        <ul>
          {rows.map((a) => (
            <li>
              <Link href={articlePath(a.id)}>{a.title}</Link>
              {a.status !== 'published' && <> <span class="tag">{enumLabel(status, a.status)}</span></>}
              {mayEdit && <> <button type="button" class="link" aria-label={t('svc.unlinkA', { title: a.title })}
                onClick={() => change(ids.filter((x) => x !== a.id))}>{t('svc.unlink')}</button></>}
            </li>
          ))}
        </ul>
      )}
      {mayEdit && <ArticleSearch exclude={ids} onPick={(id) => change([...ids, id])} />}
      {done && mayEdit && kb.permissions.create !== 'none' && (
        <p><button type="button" disabled={busy} onClick={makeArticle}>{t('svc.makeArticle')}</button></p>
      )}
      {error && <Notice kind="error">{errorText(error)}</Notice>}
    </section>
  );
}

export function LinkedCases({ record }) {
  const [rows, setRows] = useState(null);
  useFetch(() => api.get(`/${KB}/${record.id}/cases`), [record.id], (r) => setRows(r.data), () => setRows([]));
  const status = fieldMeta('cases', 'status');
  return (
    <section class="panel linked-cases" aria-labelledby="lc-h">
      <h2 id="lc-h">{t('svc.linkedCases')}</h2>
      {!rows ? <Loading /> : rows.length === 0 ? <p class="muted">{t('svc.noLinkedCases')}</p> : (
        <ul>
          {rows.map((k) => (
            <li><Link href={recordPath('cases', k.id)}>{k.number}</Link> {k.subject}{' '}
              <span class="tag">{enumLabel(status, k.status)}</span></li>
          ))}
        </ul>
      )}
    </section>
  );
}
