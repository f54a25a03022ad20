// History-API routing: the path is the state. Links navigate without a reload; the
// server answers index.html for every client route, so reloads and bookmarks work.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();
function notify() { for (const fn of listeners) fn(); }
window.addEventListener('popstate', notify);

// keepScroll: the same page in another state (a list's filters), not a new page.
export function navigate(to, { replace = false, keepScroll = false } = {}) {
  if (to === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  if (!keepScroll) window.scrollTo(0, 0);
  notify();
}

// The current {path, query}; re-renders the caller on navigation.
export function useLocation() {
  const [, set] = useState(0);
  const rendered = location.pathname + location.search;
  useEffect(() => {
    const fn = () => set((n) => n + 1);
    listeners.add(fn);
    // A navigation between the first render and this effect (a re-mounted page, as
    // after a language change) found no listener to tell: catch up with it.
    if (location.pathname + location.search !== rendered) fn();
    return () => listeners.delete(fn);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

export function Link({ href, children, ...rest }) {
  const onClick = (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return h('a', { href, onClick, ...rest }, children);
}

export const recordPath = (entity, id) => `/r/${entity}/${id}`;
export const listPath = (entity) => `/r/${entity}`;
