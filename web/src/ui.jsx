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

export function Loading() {
  return <p class="muted" aria-live="polite">{t('loading')}</p>;
}
