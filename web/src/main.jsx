// Rapport's web UI: sign-in, the shell (navigation from /meta and the modules' screens,
// global search, language, the user's name linking to My settings, sign-out) and the
// routes (entity pages from /meta, the modules' screens from web/src/mod/index.js).
// Session expiry anywhere brings the sign-in form up in place; signing in again
// continues on the same page.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import './app.css';
import { api, ApiError, prime, setCsrf, setUnauthorizedHandler, unprime } from './api.js';
import { Dashboard } from './dashboard.jsx';
import { RecordForm } from './form.jsx';
import { entityLabel, getLang, LANGS, setLang, t } from './i18n.js';
import { LIST_PAGE, ListView } from './list.jsx';
import { GLOBAL_ACTIONS, onOpenAction, screenOf, SCREENS, TOP_BAR } from './mod/index.js';
import { RecordPage } from './record.jsx';
import { Link, navigate, recordPath, useLocation } from './router.js';
import { SearchPage } from './search.jsx';
import { canRead, entityMeta, onMetaChange, onUserChange, resetSession, session, setMeta } from './state.js';
import { errorText, FlashHost, Loading, Notice, usePageTitle } from './ui.jsx';

function Login({ expired, onDone }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  usePageTitle(t('login.title'));
  async function submit(ev) {
    ev.preventDefault();
    setBusy(true);
    try {
      const r = await api.post('/auth/login', { username, password });
      onDone(r);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('login.failed')
        : err.status === 429 ? t('login.throttled', { s: err.problem.retry_after ?? '…' }) : errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="login-h">
        <h1 id="login-h">{t('login.title')}</h1>
        {expired && <Notice kind="warn">{t('login.expired')}</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
        <label for="login-user">{t('login.username')}</label>
        <input id="login-user" name="username" autocomplete="username" required value={username}
          onInput={(ev) => setUsername(ev.target.value)} />
        <label for="login-pass">{t('login.password')}</label>
        <input id="login-pass" name="password" type="password" autocomplete="current-password" required value={password}
          onInput={(ev) => setPassword(ev.target.value)} />
        <button type="submit" class="primary" disabled={busy}>{t('login.submit')}</button>
        <LangSwitch />
      </form>
    </main>
  );
}

function LangSwitch({ onChange }) {
  return (
    <label class="lang">
      <span class="sr-only">{t('user.language')}</span>
      <select aria-label={t('user.language')} value={getLang()} onChange={(ev) => onChange ? onChange(ev.target.value) : window.rapportSetLang(ev.target.value)}>
        {LANGS.map(([k, l]) => <option value={k} lang={k}>{l}</option>)}
      </select>
    </label>
  );
}

function GlobalSearch() {
  const ref = useRef(null);
  const { path, query } = useLocation();
  const [q, setQ] = useState(path === '/search' ? query.get('q') || '' : '');
  useEffect(() => {
    const onKey = (ev) => {
      const tag = (ev.target.tagName || '').toLowerCase();
      if (ev.key === '/' && !['input', 'textarea', 'select'].includes(tag) && !ev.target.isContentEditable) {
        ev.preventDefault();
        ref.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <form class="gsearch" role="search" onSubmit={(ev) => { ev.preventDefault(); navigate(`/search?q=${encodeURIComponent(q.trim())}`); }}>
      <label for="gsearch" class="sr-only">{t('search.label')}</label>
      <input id="gsearch" ref={ref} type="search" placeholder={t('search.placeholder')} value={q}
        aria-keyshortcuts="/" onInput={(ev) => setQ(ev.target.value)} />
    </form>
  );
}

// The modules' global actions (GLOBAL_ACTIONS): a button each in the top bar, a keyboard
// shortcut from any page (Alt+Shift and a key, also while typing), and the form it opens
// over the page; the form closes itself, or goes when the page changes, and the focus
// returns to where it was.
function GlobalActions() {
  const { path } = useLocation();
  const [open, setOpen] = useState(null); // {a, context, n}
  const back = useRef(null);
  const show = (a, context = {}) => {
    if (!back.current) back.current = document.activeElement;
    setOpen({ a, context, n: Date.now() });
  };
  useEffect(() => onOpenAction((id, context) => {
    const a = GLOBAL_ACTIONS.find((x) => x.id === id && x.when());
    if (a) show(a, context);
  }), []);
  useEffect(() => {
    const onKey = (ev) => {
      if (!ev.altKey || !ev.shiftKey || ev.ctrlKey || ev.metaKey) return;
      const a = GLOBAL_ACTIONS.find((x) => x.code === ev.code && x.when());
      if (a) { ev.preventDefault(); show(a); }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => { setOpen(null); back.current = null; }, [path]);
  const close = () => {
    setOpen(null);
    back.current?.focus?.();
    back.current = null;
  };
  return (
    <>
      {GLOBAL_ACTIONS.filter((a) => a.when()).map((a) => (
        <button type="button" class="gaction" aria-keyshortcuts={a.keys} title={`${t(a.label)} (${a.keys})`}
          onClick={() => show(a)}>{t(a.label)}</button>
      ))}
      {open && (
        <div class="overlay" onMouseDown={(ev) => { if (ev.target === ev.currentTarget) close(); }}>
          <div class="dialog" role="dialog" aria-modal="true" aria-label={t(open.a.label)}>
            <open.a.component key={open.n} context={open.context} onClose={close} />
          </div>
        </div>
      )}
    </>
  );
}

// Entities administered under /admin, not listed in the navigation.
function Shell({ children, onSignOut, onLang }) {
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [path]);
  const nav = session.meta.entities.filter((e) => e.nav && canRead(e));
  const item = (href, label) => (
    <li><Link href={href} aria-current={path === href || (href !== '/' && path.startsWith(href + '/')) ? 'page' : undefined}>{label}</Link></li>
  );
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <button type="button" class="menu-btn" aria-expanded={open} aria-controls="side" onClick={() => setOpen(!open)}>☰ <span class="sr-only">{t('nav.menu')}</span></button>
        <Link href="/" class="brand">Rapport</Link>
        <GlobalSearch />
        <GlobalActions />
        <div class="user">
          {TOP_BAR.map((x) => <x.component />)}
          <LangSwitch onChange={onLang} />
          <Link href="/settings" class="who" title={t('me.title')} aria-current={path === '/settings' ? 'page' : undefined}>
            {session.user.display_name || session.user.username}
          </Link>
          <button type="button" onClick={onSignOut}>{t('user.signout')}</button>
        </div>
      </header>
      <nav id="side" class={`side ${open ? 'open' : ''}`} aria-label={t('nav.main')}>
        <ul>
          {item('/', t('nav.home'))}
          {nav.map((e) => item(`/r/${e.name}`, entityLabel(e)))}
          {SCREENS.filter((x) => x.nav && x.when()).map((x) => item(x.path, t(x.nav)))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}><FlashHost />{children}</main>
    </div>
  );
}

function NewRecord({ e }) {
  const { query } = useLocation();
  const initial = Object.fromEntries(query.entries());
  for (const f of e.fields) if (f.type === 'multi_ref' && initial[f.name]) initial[f.name] = initial[f.name].split(',');
  const back = () => (history.length > 1 ? history.back() : navigate(`/r/${e.name}`));
  return <RecordForm e={e} initial={initial} onCancel={back} onSaved={(r) => navigate(recordPath(e.name, r.id), { replace: true })} />;
}

function Routes() {
  const { path } = useLocation();
  const m = /^\/r\/([a-z][a-z0-9_]*)(?:\/([^/]+))?\/?$/.exec(path);
  if (m) {
    const e = entityMeta(m[1]);
    if (!e || !canRead(e)) return <Notice kind="error">{t('rec.notFound')}</Notice>;
    if (!m[2]) return <ListView e={e} key={e.name} />;
    if (m[2] === 'new') return <NewRecord e={e} key={`new-${e.name}`} />;
    return <RecordPage e={e} id={m[2]} key={m[2]} />;
  }
  if (path === '/search') return <SearchPage />;
  const screen = screenOf(path);
  if (screen) {
    if (!screen.when()) return <Notice kind="error">{t('err.forbidden')}</Notice>;
    return screen.component ? <screen.component /> : <Lazy screen={screen} />;
  }
  return <Dashboard />;
}

// A screen whose code loads on its first visit (SCREENS' load); kept once loaded.
const loaded = new Map();
function Lazy({ screen }) {
  const [, set] = useState(0);
  const [error, setError] = useState(null);
  const C = loaded.get(screen.path);
  useEffect(() => {
    if (!C) screen.load().then((c) => { loaded.set(screen.path, c); set((n) => n + 1); }, setError);
  }, [screen.path]);
  if (error) return <Notice kind="error">{t('err.network')}</Notice>;
  return C ? <C /> : <Loading />;
}

// Started as soon as the module runs: /auth/me and /meta (preloaded by index.html)
// together, and the first page of a list the address names (ListView asks the same URL).
const boot = {
  // Settled at once: a rejection waiting for App's effect would count as unhandled.
  me: api.get('/auth/me', undefined, { quiet401: true }).then((me) => ({ me }), (err) => ({ err })),
  meta: api.get('/meta', undefined, { quiet401: true }).catch(() => null),
};
const listRoute = /^\/r\/([a-z][a-z0-9_]*)\/?$/.exec(location.pathname);
if (listRoute && !location.search) prime(`/${listRoute[1]}`, { limit: LIST_PAGE });

function App() {
  const [phase, setPhase] = useState('loading'); // loading | login | expired | ready | offline
  const [, setLangTick] = useState(0);
  // New metadata (a field or an entity added, a role changed): render everything again.
  useEffect(() => onMetaChange(() => setLangTick((n) => n + 1)), []);
  // The user's own name or language changed (My settings): the shell shows it.
  useEffect(() => onUserChange(() => setLangTick((n) => n + 1)), []);

  // meta: the /meta answer when already fetched for this user.
  async function start(me, meta) {
    setCsrf(me.csrf_token);
    session.user = me.user;
    setLang(me.user.locale || 'en');
    try {
      setMeta(meta || await api.get('/meta', undefined, { quiet401: true }));
      setPhase('ready');
    } catch (err) {
      setPhase(err.status === 401 ? 'login' : 'offline');
    }
  }
  useEffect(() => {
    setUnauthorizedHandler(() => setPhase((p) => (p === 'ready' ? 'expired' : p)));
    window.rapportSetLang = (l) => { setLang(l); setLangTick((n) => n + 1); };
    boot.me.then(async ({ me, err }) => {
      if (me) return start(me, await boot.meta);
      unprime();
      return setPhase(err.status === 401 ? 'login' : 'offline');
    });
  }, []);

  async function changeLang(l) {
    setLang(l);
    setLangTick((n) => n + 1);
    try {
      // The answer is the user record: it does not say whether the role administers.
      session.user = { ...session.user, ...(await api.patch('/auth/me', { locale: l })) };
    } catch { /* the choice still applies to this page */ }
  }
  async function signOut() {
    try { await api.post('/auth/logout'); } catch { /* signed out either way */ }
    resetSession();
    setPhase('login');
    navigate('/', { replace: true });
  }

  if (phase === 'loading') return <Loading />;
  if (phase === 'offline') return <Notice kind="error">{t('err.network')}</Notice>;
  if (phase === 'login' || phase === 'expired') {
    return <Login expired={phase === 'expired'} onDone={(me) => { resetSession(); start(me); }} />;
  }
  return <Shell onSignOut={signOut} onLang={changeLang} key={getLang()}><Routes /></Shell>;
}

render(<App />, document.getElementById('app'));
