// Small shared pieces: notices, error text, the page title.
import { useEffect } from 'preact/hooks';
import { t } from './i18n.js';

export function errorText(err) {
  if (!err) return '';
  if (err.status === 403) return t('err.forbidden');
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
