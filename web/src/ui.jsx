// Small shared pieces: notices, a message that follows a navigation (flash), error
// text, the page title.
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n.js';
import { Link, useLocation } from './router.js';

// The server's own words (in the UI's language: api.js sends it), else a general one.
export function errorText(err) {
  if (!err) return '';
  if (err.status === 403) return err.problem?.detail || t('err.forbidden');
  if (err.status === undefined) return t('err.network');
  return t('err.generic', { msg: err.message });
}

export function Notice({ kind = 'info', children, onClose }) {
  if (!children) return null;
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <div>{children}</div>
      {onClose && <button type="button" class="link" aria-label={t('close')} onClick={onClose}>×</button>}
    </div>
  );
}

// A message for the page the app is on once the call returns (a delete navigates to
// the list, then says "Moved to the recycle bin — Undo"); it goes when the user moves
// on. action: {label, run}, a button after the text; links: [{href, label}] after it.
let flashed = null;
const flashListeners = new Set();
export function flash(text, { kind = 'info', action, links = [] } = {}) {
  flashed = { text, kind, action, links, path: location.pathname };
  for (const fn of flashListeners) fn();
}

// Where flash() messages show: once, in the shell above every page.
export function FlashHost() {
  const { path } = useLocation();
  const [, set] = useState(0);
  useEffect(() => {
    const fn = () => set((n) => n + 1);
    flashListeners.add(fn);
    return () => flashListeners.delete(fn);
  }, []);
  useEffect(() => { if (flashed && flashed.path !== path) flashed = null; }, [path]);
  if (!flashed || flashed.path !== path) return null;
  const f = flashed;
  const close = () => { flashed = null; set((n) => n + 1); };
  return (
    <Notice kind={f.kind} onClose={close}>
      {f.text}
      {f.action && <> <button type="button" class="link" onClick={() => { close(); f.action.run(); }}>{f.action.label}</button></>}
      {f.links.map((l) => <> <Link href={l.href}>{l.label}</Link></>)}
    </Notice>
  );
}

// Marks the first paint of a screen's content for the paint benchmark
// (bench/web-paint.mjs): performance.mark(name), once a page load, after the next
// frame is painted (rAF runs before that paint, the timeout after).
const marked = new Set();
export function markPainted(name) {
  if (marked.has(name)) return;
  marked.add(name);
  requestAnimationFrame(() => setTimeout(() => performance.mark(name), 0));
}

export function usePageTitle(title) {
  useEffect(() => {
    if (title !== undefined) document.title = title ? `${title} · Rapport` : 'Rapport';
  }, [title]);
}

// Starts a request whenever deps change and hands its answer to done (or its error to
// fail) only while deps are still those it was made for: an answer that arrives after
// the page moved on (another record, another query) is dropped, not shown over the
// newer one.
export function useFetch(request, deps, done, fail) {
  useEffect(() => {
    let current = true;
    request()?.then((r) => { if (current) done(r); }, (err) => { if (current) fail(err); });
    return () => { current = false; };
  }, deps);
}

export function Loading() {
  return <p class="muted" aria-live="polite">{t('loading')}</p>;
}
