// The REST client: JSON in and out, the session cookie, the CSRF token on unsafe
// requests, problem+json errors as ApiError, and one hook for an expired session.
// Every request says the UI's language (Accept-Language): the server writes its
// messages — problem details, field errors, import errors — in it, shown as they come.
import { getLang } from './i18n.js';

const BASE = '/api/v1';
let csrf = null;
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, problem, etag) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.etag = etag;
  }
  // Field errors as {field: message}.
  get fields() {
    const out = {};
    for (const e of this.problem.errors || []) if (e.field) out[e.field] = e.message;
    return out;
  }
}

export function setCsrf(token) { csrf = token; }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

// The address of an API path with its query (links the browser follows itself: exports).
export function urlOf(path, query) {
  let url = BASE + path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.append(k, v);
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  return url;
}

// GETs started before the page that needs them exists (the first page of a list while
// the metadata loads); the first request for the same URL takes the answer.
const primed = new Map();
export function prime(path, query) {
  const url = urlOf(path, query);
  const p = request('GET', path, { query, quiet401: true });
  p.catch(() => {}); // unused when signed out: not an unhandled rejection
  primed.set(url, p);
}
export function unprime() { primed.clear(); }

// request(method, path, {body, query, headers, raw}) → {status, body, etag, allow}; raw:
// {data, type}, a file's bytes sent as they are (an import); allow: what
// the caller may do with a record (the Allow header of GET /{res}/{id}: "GET, PATCH, DELETE")
export async function request(method, path, { body, query, headers = {}, quiet401 = false, raw } = {}) {
  const url = urlOf(path, query);
  if (method === 'GET' && primed.has(url)) {
    const p = primed.get(url);
    primed.delete(url);
    return p;
  }
  const h = { Accept: 'application/json', 'Accept-Language': getLang(), ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (raw) h['Content-Type'] = raw.type;
  if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
  const res = await fetch(url, {
    method, headers: h, credentials: 'same-origin',
    body: raw ? raw.data : body === undefined ? undefined : JSON.stringify(body),
  });
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  const etag = res.headers.get('ETag');
  if (!res.ok) {
    if (res.status === 401 && !quiet401) onUnauthorized();
    throw new ApiError(res.status, data, etag);
  }
  return { status: res.status, body: data, etag, allow: res.headers.get('Allow') };
}

export const api = {
  get: (p, query, o) => request('GET', p, { query, ...o }).then((r) => r.body),
  post: (p, body, query) => request('POST', p, { body, query }).then((r) => r.body),
  patch: (p, body, { version, query } = {}) =>
    request('PATCH', p, { body, query, headers: version ? { 'If-Match': `"${version}"` } : {} }).then((r) => r.body),
  del: (p, { version } = {}) =>
    request('DELETE', p, { headers: version ? { 'If-Match': `"${version}"` } : {} }),
};
