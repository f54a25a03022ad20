// A configurable product's model (its `options`: groups of options with a price change
// each, and rules — src/mod/commerce/configure.c) read for the chooser, and a
// configuration's price as the server makes it: the base price for the buyer plus each
// chosen option's change, an amount, or a percent of the base rounded half away from
// zero. The chooser shows these figures while a configuration is still incomplete (the
// server answers 422 until it is); a complete one shows the server's own. Only
// money.js imported: node can check it against the server.
import { applyBp } from './money.js';

// "-12.5" → -1250n: an amount or a percent with at most 2 decimals, signed (an option may
// lower the price); null when it is not one.
export function parseSigned(s) {
  const m = /^\s*(-?)(\d{1,16})(?:\.(\d{1,2}))?\s*$/.exec(String(s ?? ''));
  if (!m) return null;
  const n = BigInt(m[2]) * 100n + BigInt((m[3] || '').padEnd(2, '0'));
  return m[1] ? -n : n;
}

// The model from the product's `options` (JSON, or its text): {groups: [{key, name,
// name_zh, required, min, max, options: [{key, name, name_zh, price?, percent?}]}],
// rules}, with each group's min and max as the server defaults them (min 1 when
// required, else 0; max 1); null when the product is not configurable.
export function modelOf(v) {
  let m = v;
  if (typeof v === 'string') {
    try { m = v.trim() ? JSON.parse(v) : null; } catch { m = null; }
  }
  if (!m || typeof m !== 'object' || !Array.isArray(m.groups) || !m.groups.length) return null;
  const groups = m.groups.filter((g) => g && Array.isArray(g.options)).map((g) => ({
    ...g,
    min: Number.isInteger(g.min) ? g.min : g.required ? 1 : 0,
    max: Number.isInteger(g.max) ? g.max : 1,
    options: g.options.filter((o) => o && o.key),
  }));
  return groups.length ? { groups, rules: Array.isArray(m.rules) ? m.rules : [] } : null;
}

// An option by its key, with its group.
export function findOption(model, key) {
  for (const g of model.groups) {
    const o = g.options.find((x) => x.key === key);
    if (o) return { group: g, option: o };
  }
  return null;
}

// One option's price change on a base price (BigInt minor units); null when the model
// gives none that reads.
export function deltaOf(option, base) {
  if (option.percent !== undefined && option.percent !== null) {
    const bp = parseSigned(option.percent);
    return bp === null ? null : applyBp(base, bp);
  }
  if (option.price === undefined || option.price === null) return 0n;
  return parseSigned(option.price);
}

// The configuration's price: {deltas: [{key, option, delta}], unit}; keys no option has
// are left out (the server names them).
export function priceOf(model, keys, base) {
  const deltas = [];
  let unit = base;
  for (const key of keys) {
    const found = findOption(model, key);
    const delta = found && deltaOf(found.option, base);
    if (delta === null || delta === undefined) continue;
    deltas.push({ key, option: found.option, delta });
    unit += delta;
  }
  return { deltas, unit };
}

// How many of a group's options are chosen, and whether that is within its min and max.
export function groupCount(group, keys) {
  return group.options.filter((o) => keys.includes(o.key)).length;
}
export const groupDone = (group, keys) => {
  const n = groupCount(group, keys);
  return n >= group.min && n <= group.max;
};
