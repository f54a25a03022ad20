// Session-wide state: the signed-in user, the metadata (reloaded after an administrator
// changes fields, entities or roles), and small caches of users, teams and record
// titles (for reference fields), loaded once and shared.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { getLang, personName } from './i18n.js';

export const session = { user: null, meta: null, byName: {} };

export function setMeta(meta) {
  session.meta = meta;
  session.byName = Object.fromEntries(meta.entities.map((e) => [e.name, e]));
}
export const entityMeta = (name) => session.byName[name];
// A field of an entity by name, or undefined (the entity or field is not visible).
export const fieldMeta = (entity, name) => session.byName[entity]?.fields.find((f) => f.name === name);
// A column every record has besides its fields (owner_id, created_at …) as /meta
// describes it (labels included), with the UI's own properties added.
export function systemField(name, extra) {
  const f = session.meta?.system_fields?.find((x) => x.name === name) || { name, label: name };
  return { ...f, ...extra };
}
export const canRead = (e) => e && e.permissions.read !== 'none';
// Whether text can be searched: every term two characters or more, or one character of
// a script written without spaces (a Chinese surname, 王), as the server accepts.
export const searchable = (text) => {
  const terms = text.trim().split(/\s+/).filter(Boolean);
  return terms.length > 0 && terms.every((x) => [...x].length >= 2 || /^[\u0800-\uffff]$/.test(x));
};

// The users the signed-in user may give e's records to, as the server decides it by
// their edit scope: null with own (only themselves), their teams' members with team,
// members of those teams and every team below with team_and_below, anyone with all.
// users and teams: the cached lists (useAll).
export function assignable(e, users, teams) {
  const scope = e.permissions.edit;
  if (scope === 'all') return users;
  if (scope !== 'team' && scope !== 'team_and_below') return null;
  const mine = new Set(session.user.team_ids || []);
  for (let grew = scope === 'team_and_below'; grew;) {
    grew = false;
    for (const team of teams || []) {
      if (team.parent_id && mine.has(team.parent_id) && !mine.has(team.id)) { mine.add(team.id); grew = true; }
    }
  }
  return users.filter((u) => u.id === session.user.id || (u.team_ids || []).some((id) => mine.has(id)));
}
// /auth/me names the user's role but not whether it administers: the built-in admin
// role does.
// Whether the signed-in user's role administers (any role with admin: true, not only
// the built-in one): /auth/me tells.
export const isAdmin = () => session.user?.admin === true;

// Fetches /meta again and tells every listener (the app re-renders: new fields and
// entities show at once in navigation, lists, filters, forms and record pages).
const metaListeners = new Set();
export function onMetaChange(fn) {
  metaListeners.add(fn);
  return () => metaListeners.delete(fn);
}
export async function reloadMeta() {
  setMeta(await api.get('/meta'));
  for (const fn of metaListeners) fn();
}

// The signed-in user changed their own profile (My settings): the shell shows the new
// name at once. fields: what PATCH /auth/me answered (display_name, locale).
const userListeners = new Set();
export function onUserChange(fn) {
  userListeners.add(fn);
  return () => userListeners.delete(fn);
}
export function updateUser(fields) {
  session.user = { ...session.user, ...fields };
  for (const fn of userListeners) fn();
}

// Titles of referenced records, fetched in batches: every <RefName> asking in the same
// tick becomes one list request per entity (id[in]=…).
const titles = new Map(); // "entity:id" → title | Promise
const pending = new Map(); // entity → Set(ids)
let scheduled = false;

// Records of people (contacts, leads, a custom entity with both name fields): titled by
// their full name, not one of its parts.
export const isPerson = (e) => e.fields.some((f) => f.name === 'first_name') && e.fields.some((f) => f.name === 'last_name');

export function recordTitle(e, r) {
  if (!r) return '';
  if (isPerson(e)) return personName(r.first_name, r.last_name);
  if (e.display_field && r[e.display_field]) return r[e.display_field];
  // A title with a Chinese version beside it (a stage's label_zh): that one in Chinese.
  if (getLang() === 'zh-CN' && r[`${e.title_field}_zh`]) return r[`${e.title_field}_zh`];
  return r[e.title_field] ?? r.id;
}

function flush() {
  scheduled = false;
  for (const [entity, ids] of pending) {
    pending.delete(entity);
    const list = [...ids];
    for (let i = 0; i < list.length; i += 100) {
      const chunk = list.slice(i, i + 100);
      const e = entityMeta(entity);
      const done = api.get(`/${entity}`, { 'id[in]': chunk.join(','), limit: 100 }).then((r) => {
        for (const rec of r.data) titles.set(`${entity}:${rec.id}`, recordTitle(e, rec));
      }).catch(() => {}).finally(() => {
        for (const id of chunk) if (typeof titles.get(`${entity}:${id}`) !== 'string') titles.set(`${entity}:${id}`, null);
        for (const fn of waiters) fn();
      });
      for (const id of chunk) titles.set(`${entity}:${id}`, done);
    }
  }
}
const waiters = new Set();

export function rememberTitle(entity, id, title) { titles.set(`${entity}:${id}`, title); }

// The title of entity/id, or undefined while loading, or null when not visible.
export function useTitle(entity, id) {
  const key = `${entity}:${id}`;
  const [, set] = useState(0);
  const have = titles.get(key);
  useEffect(() => {
    if (!id || !entity) return undefined;
    const now = titles.get(key);
    // Loaded between the render and this effect (its waiters were called before this
    // one was added): render again with it.
    if (typeof now === 'string' || now === null) {
      if (now !== have) set((n) => n + 1);
      return undefined;
    }
    const fn = () => set((n) => n + 1);
    waiters.add(fn);
    if (now === undefined && entityMeta(entity)) {
      if (!pending.has(entity)) pending.set(entity, new Set());
      pending.get(entity).add(id);
      if (!scheduled) { scheduled = true; queueMicrotask(flush); }
    }
    return () => waiters.delete(fn);
  }, [key, typeof have]);
  return typeof have === 'string' || have === null ? have : undefined;
}

// Every user and team (admin-sized lists: up to 500 each), cached for the session.
const cache = {};
export function loadAll(entity) {
  if (!entityMeta(entity)) return Promise.resolve([]); // not readable: nothing to ask
  if (!cache[entity]) {
    cache[entity] = api.get(`/${entity}`, { limit: 500 }).then((r) => {
      const e = entityMeta(entity);
      for (const rec of r.data) titles.set(`${entity}:${rec.id}`, recordTitle(e, rec));
      return r.data;
    }).catch((err) => { delete cache[entity]; throw err; });
  }
  return cache[entity];
}
export function forget(entity) { delete cache[entity]; }
export function useAll(entity) {
  const [rows, setRows] = useState(null);
  useEffect(() => {
    if (entity) loadAll(entity).then(setRows, () => setRows([]));
  }, [entity]);
  return rows;
}

export function resetSession() {
  session.user = null;
  titles.clear();
  for (const k of Object.keys(cache)) delete cache[k];
}
