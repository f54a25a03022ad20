// English and Simplified Chinese. The shell's strings live here, each module's next to
// its screens (web/src/mod/<module>/i18n.js, merged in by addStrings from
// web/src/mod/index.js). Entity and field labels are metadata, not strings of the UI:
// /meta gives every built-in entity and field its Chinese label (label_zh,
// label_plural_zh), and a custom one when its administrator did, else the English label
// shows — so a new entity or custom field always shows. The server heads exports with
// the same labels. So are the labels of built-in enum values (enum_labels,
// enum_labels_zh: enumLabel); pipeline stages are records with a label_zh of their own.

const EN = {
  'nav.home': 'Home',
  'nav.menu': 'Menu', 'nav.main': 'Main navigation',
  'login.title': 'Sign in to Rapport', 'login.username': 'Username', 'login.password': 'Password',
  'login.submit': 'Sign in', 'login.expired': 'Your session has ended. Sign in again to continue where you were.',
  'login.failed': 'Wrong username or password.', 'login.throttled': 'Too many failed attempts. Try again in {s} seconds.',
  'user.signout': 'Sign out', 'user.language': 'Language',
  'search.label': 'Search everything', 'search.placeholder': 'Search (press /)', 'search.title': 'Search results for “{q}”',
  'search.none': 'Nothing found.', 'search.short': 'Type at least two characters (one is enough in Chinese).',
  'search.owner': 'Owner: {name}', 'search.matched': 'Matched',
  'list.new': 'New {entity}', 'list.search': 'Search {entity}', 'list.loadMore': 'Load more', 'list.empty': 'No records.',
  'list.shown': '{shown} of {n}', 'list.selectAll': 'Select all rows', 'list.selectRow': 'Select {name}',
  'list.selected': '{n} selected', 'list.reassign': 'Reassign to…', 'list.reassignGo': 'Reassign', 'list.delete': 'Delete',
  'list.deleteConfirm': 'Move {n} records to the recycle bin?', 'list.bulkDone': '{ok} done, {failed} failed',
  'list.filter': 'Filter {field}', 'list.from': 'from', 'list.to': 'to', 'list.any': 'any',
  'list.export.csv': 'Export CSV', 'list.export.xlsx': 'Export Excel',
  'list.clear': 'Clear filters', 'list.views': 'Saved views', 'list.saveView': 'Save view', 'list.viewName': 'View name',
  'list.deleteView': 'Delete view', 'list.sortBy': 'Sort by {field}',
  'rec.edit': 'Edit', 'rec.save': 'Save', 'rec.cancel': 'Cancel', 'rec.delete': 'Delete', 'rec.deleted': 'Moved to the recycle bin.',
  'rec.deleteConfirm': 'Move “{title}” to the recycle bin?', 'rec.undo': 'Undo', 'rec.restored': 'Restored from the recycle bin.',
  'rec.mayNotEdit': 'Your role may not change this record: it is outside your scope and not shared with you for editing.',
  'rec.mayNotDelete': 'Your role may not delete this record.',
  'rec.editField': 'Edit {field}', 'rec.timeline': 'Timeline', 'rec.history': 'History', 'rec.related': 'Related',
  'rec.notFound': 'This record does not exist or you may not see it.',
  'rec.stale': 'Someone else changed this record while you were editing. Your input is kept below; reload to see their change, then apply yours again.',
  'rec.reload': 'Reload', 'rec.saved': 'Saved.', 'rec.created': 'Created by {user} on {at}', 'rec.updated': 'Updated {at} · version {v}',
  'rec.more': 'Show more', 'rec.none': 'Nothing yet.', 'rec.createdEvent': '{entity} created: {title}',
  'rec.deactivate': 'Deactivate user', 'rec.activate': 'Reactivate user', 'rec.transfer': 'Transfer records to…', 'rec.transferGo': 'Transfer',
  'rec.transferDone': '{n} records moved.', 'rec.share': 'shared with', 'rec.unshare': 'stopped sharing with',
  'form.new': 'New {entity}', 'form.edit': 'Edit {entity}', 'form.required': 'is required', 'form.tooLong': 'is longer than {n} characters',
  'form.email': 'is not a valid e-mail address', 'form.number': 'is not a number', 'form.range': 'must be between {min} and {max}', 'form.invalid': 'Some fields need your attention.',
  'form.dupTitle': 'This looks like a duplicate of:', 'form.dupAnyway': 'Create anyway', 'form.dupSaveAnyway': 'Save anyway',
  'form.conflictTitle': 'This clashes with:', 'form.conflictAnyway': 'Save anyway', 'form.busy': 'busy',
  'hist.create': '{who} created it', 'hist.delete': '{who} moved it to the recycle bin',
  'hist.restore': '{who} restored it from the recycle bin', 'hist.other': '{who}: {action}',
  'hist.merge': '{who} merged {other} into it', 'hist.merged_into': '{who} merged it into {other}',
  'hist.owner': '{who} transferred it from {old} to {new}', 'hist.stage': '{who} moved it from {old} to {new}',
  'hist.set': '{who} set {field} to {new}', 'hist.cleared': '{who} cleared {field} (was {old})',
  'hist.changed': '{who} changed {field} from {old} to {new}',
  'hist.via_rule': 'by rule “{rule}”',
  'hist.action.update': 'changed it', 'hist.action.share': 'shared it', 'hist.action.unshare': 'stopped sharing it',
  'rec.showEmpty': 'Show empty fields', 'rec.hideEmpty': 'Hide empty fields', 'rec.addTitle': 'Add…',
  'rec.addRelated': '+ {entity}', 'rec.logCall': 'Log call', 'rec.scheduleMeeting': 'Schedule meeting',
  'about.column': 'About', 'about.re': 're: {entity} {name}', 'about.with': 'with {name} ({entity})',
  'list.import': 'Import', 'list.findDups': 'Find duplicates', 'list.total': '{n} in all', 'list.name': 'Name', 'form.dupMerge': 'Merge with this one…',
  'dup.owner': 'owner', 'dup.reason.email': 'e-mail', 'dup.reason.phone': 'phone', 'dup.reason.tax_id': 'tax ID',
  'dup.reason.name': 'name',
  'form.reasons': 'same {r}', 'form.choose': '— choose —',
  'dash.title': 'Home', 'dash.pipeline': 'Pipeline by stage', 'dash.forecast': 'Forecast by month', 'dash.leads': 'Leads by source',
  'dash.today': 'My activities today', 'dash.overdue': 'Overdue', 'dash.recent': 'Recently changed', 'dash.none': 'Nothing here.',
  'dash.won': 'Won', 'dash.weighted': 'Weighted', 'dash.commit': 'Commit', 'dash.best': 'Best case', 'dash.amount': 'Amount', 'dash.unknown': 'unknown',
  'dash.currency': 'Currency', 'dash.pipelineIn': 'Pipeline by stage ({cur})', 'dash.forecastIn': 'Forecast by month ({cur})',
  'err.generic': 'Something went wrong: {msg}', 'err.network': 'The server cannot be reached.', 'err.forbidden': 'You are not allowed to do that.',
  'loading': 'Loading…', 'close': 'Close', 'yes': 'Yes', 'no': 'No', 'back': 'Back',
  'group.overview': 'Overview', 'group.address': 'Address', 'group.finance': 'Finance', 'group.classification': 'Classification',
  'group.description': 'Description', 'group.contact': 'Contact', 'group.details': 'Details', 'group.access': 'Access',
  'group.preferences': 'Preferences', 'group.person': 'Person', 'group.company': 'Company', 'group.status': 'Status',
  'group.conversion': 'Conversion', 'group.schedule': 'Schedule', 'group.call': 'Call', 'group.meeting': 'Meeting',
  'group.related': 'Related to', 'group.system': 'System', 'group.custom': 'Custom fields',
};

const ZH = {
  'nav.home': '首页',
  'nav.menu': '菜单', 'nav.main': '主导航',
  'login.title': '登录 Rapport', 'login.username': '用户名', 'login.password': '密码', 'login.submit': '登录',
  'login.expired': '会话已结束。请重新登录，然后回到刚才的页面。', 'login.failed': '用户名或密码错误。',
  'login.throttled': '失败次数过多，请在 {s} 秒后重试。',
  'user.signout': '退出', 'user.language': '语言',
  'search.label': '全局搜索', 'search.placeholder': '搜索（按 /）', 'search.title': '“{q}”的搜索结果',
  'search.none': '没有找到结果。', 'search.short': '请至少输入两个字符（中文一个字即可）。',
  'search.owner': '负责人：{name}', 'search.matched': '匹配',
  'list.new': '新建{entity}', 'list.search': '搜索{entity}', 'list.loadMore': '加载更多', 'list.empty': '没有记录。',
  'list.shown': '{shown} / {n}', 'list.selectAll': '全选', 'list.selectRow': '选择 {name}',
  'list.selected': '已选 {n} 条', 'list.reassign': '转给…', 'list.reassignGo': '转移', 'list.delete': '删除',
  'list.deleteConfirm': '将 {n} 条记录移到回收站？', 'list.bulkDone': '成功 {ok} 条，失败 {failed} 条',
  'list.filter': '筛选{field}', 'list.from': '从', 'list.to': '到', 'list.any': '全部',
  'list.export.csv': '导出 CSV', 'list.export.xlsx': '导出 Excel',
  'list.clear': '清除筛选', 'list.views': '已保存视图', 'list.saveView': '保存视图', 'list.viewName': '视图名称',
  'list.deleteView': '删除视图', 'list.sortBy': '按{field}排序',
  'rec.edit': '编辑', 'rec.save': '保存', 'rec.cancel': '取消', 'rec.delete': '删除', 'rec.deleted': '已移到回收站。',
  'rec.deleteConfirm': '将“{title}”移到回收站？', 'rec.undo': '撤销', 'rec.restored': '已从回收站恢复。',
  'rec.mayNotEdit': '您的角色不能修改这条记录：它不在您的权限范围内，也未以可编辑方式共享给您。',
  'rec.mayNotDelete': '您的角色不能删除这条记录。',
  'rec.editField': '编辑{field}', 'rec.timeline': '时间线', 'rec.history': '修改历史', 'rec.related': '相关记录',
  'rec.notFound': '该记录不存在，或您无权查看。',
  'rec.stale': '在您编辑时，其他人修改了这条记录。您的输入保留在下方；请重新加载查看他们的修改，然后再次保存。',
  'rec.reload': '重新加载', 'rec.saved': '已保存。', 'rec.created': '{user} 创建于 {at}', 'rec.updated': '更新于 {at} · 版本 {v}',
  'rec.more': '显示更多', 'rec.none': '暂无内容。', 'rec.createdEvent': '新建{entity}：{title}',
  'rec.deactivate': '停用用户', 'rec.activate': '重新启用', 'rec.transfer': '将记录转给…', 'rec.transferGo': '转移',
  'rec.transferDone': '已转移 {n} 条记录。', 'rec.share': '共享给', 'rec.unshare': '停止共享给',
  'form.new': '新建{entity}', 'form.edit': '编辑{entity}', 'form.required': '为必填项', 'form.tooLong': '超过 {n} 个字符',
  'form.email': '不是有效的电子邮件地址', 'form.number': '不是数字', 'form.range': '必须在 {min} 到 {max} 之间', 'form.invalid': '有些字段需要修改。',
  'form.dupTitle': '这可能与以下记录重复：', 'form.dupAnyway': '仍然创建', 'form.dupSaveAnyway': '仍然保存',
  'form.conflictTitle': '时间冲突：', 'form.conflictAnyway': '仍然保存', 'form.busy': '忙碌',
  'hist.create': '{who} 创建了这条记录', 'hist.delete': '{who} 把它移到了回收站',
  'hist.restore': '{who} 从回收站恢复了它', 'hist.other': '{who}：{action}',
  'hist.merge': '{who} 将 {other} 合并到这里', 'hist.merged_into': '{who} 将它合并到 {other}',
  'hist.owner': '{who} 将它从 {old} 转给 {new}', 'hist.stage': '{who} 将阶段从 {old} 移到 {new}',
  'hist.set': '{who} 将{field}设为 {new}', 'hist.cleared': '{who} 清空了{field}（原为 {old}）',
  'hist.changed': '{who} 将{field}从 {old} 改为 {new}',
  'hist.via_rule': '由规则“{rule}”执行',
  'hist.action.update': '修改了它', 'hist.action.share': '共享了它', 'hist.action.unshare': '取消了共享',
  'rec.showEmpty': '显示空字段', 'rec.hideEmpty': '隐藏空字段', 'rec.addTitle': '添加…',
  'rec.addRelated': '+ {entity}', 'rec.logCall': '记录通话', 'rec.scheduleMeeting': '安排会议',
  'about.column': '关于', 'about.re': '关于{entity}：{name}', 'about.with': '与{name}（{entity}）',
  'list.import': '导入', 'list.findDups': '查找重复', 'list.total': '共 {n} 条', 'list.name': '姓名', 'form.dupMerge': '与这条合并…',
  'dup.owner': '负责人', 'dup.reason.email': '邮箱', 'dup.reason.phone': '电话', 'dup.reason.tax_id': '税号',
  'dup.reason.name': '名称',
  'form.reasons': '相同的{r}', 'form.choose': '— 请选择 —',
  'dash.title': '首页', 'dash.pipeline': '各阶段商机金额', 'dash.forecast': '按月预测', 'dash.leads': '线索来源',
  'dash.today': '我今天的活动', 'dash.overdue': '已逾期', 'dash.recent': '最近修改', 'dash.none': '暂无。',
  'dash.won': '已赢单', 'dash.weighted': '加权金额', 'dash.commit': '承诺', 'dash.best': '最佳情况', 'dash.amount': '金额', 'dash.unknown': '未知',
  'dash.currency': '币种', 'dash.pipelineIn': '各阶段商机金额（{cur}）', 'dash.forecastIn': '按月预测（{cur}）',
  'err.generic': '出错了：{msg}', 'err.network': '无法连接服务器。', 'err.forbidden': '您无权执行此操作。',
  'loading': '加载中…', 'close': '关闭', 'yes': '是', 'no': '否', 'back': '返回',
  'group.overview': '概览', 'group.address': '地址', 'group.finance': '财务', 'group.classification': '分类',
  'group.description': '描述', 'group.contact': '联系方式', 'group.details': '详情', 'group.access': '访问权限',
  'group.preferences': '偏好', 'group.person': '个人', 'group.company': '公司', 'group.status': '状态',
  'group.conversion': '转化', 'group.schedule': '日程', 'group.call': '电话', 'group.meeting': '会议',
  'group.related': '关联', 'group.system': '系统', 'group.custom': '自定义字段',
  'role.admin': '管理员', 'role.manager': '经理', 'role.marketing': '市场',
  'role.partner': '合作伙伴', 'role.readonly': '只读', 'role.sales': '销售', 'role.support': '客服',
};

const DICTS = { en: EN, 'zh-CN': ZH };
export const LANGS = [['en', 'English'], ['zh-CN', '简体中文']];

let lang = 'en';
export function setLang(l) {
  lang = DICTS[l] ? l : 'en';
  document.documentElement.lang = lang;
}
export function getLang() { return lang; }

export function t(key, params) {
  let s = DICTS[lang][key] ?? EN[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined ? m : String(params[k])));
  return s;
}

// A module's strings ({en: {...}, zh: {...}}), added to the dictionaries once at start.
export function addStrings({ en, zh }) {
  Object.assign(EN, en);
  Object.assign(ZH, zh);
}

// Metadata labels in the current language: in Chinese the Chinese label /meta gives
// (Chinese has no plural: either form does), else the English label from /meta.
export function entityLabel(e, plural = true) {
  if (lang === 'zh-CN') {
    const zh = plural ? e.label_plural_zh || e.label_zh : e.label_zh || e.label_plural_zh;
    if (zh) return zh;
  }
  return plural ? e.label_plural : e.label;
}
// A translated sentence whose {placeholders} are components (names, values).
export function sentence(key, parts) {
  const marks = Object.fromEntries(Object.keys(parts).map((k) => [k, `\u0000${k}\u0000`]));
  return t(key, marks).split('\u0000').map((x, i) => (i % 2 ? parts[x] : x));
}
export function fieldLabel(f) {
  return (lang === 'zh-CN' && f.label_zh) || f.label;
}
// A group of fields: a custom entity's fields (all in group "custom") are its details.
export function groupLabel(e, group) {
  return t(group === 'custom' && e.custom ? 'group.details' : `group.${group}`);
}
// A role record's name: label_zh in Chinese when given (built-in roles have a
// translation here), else its label.
export function roleLabel(r) {
  if (!r) return '';
  if (lang === 'zh-CN') return r.label_zh || DICTS[lang][`role.${r.key}`] || r.label || r.key;
  return r.label || r.key;
}

const nf = {};
function numberFormat(opts) {
  const k = lang + JSON.stringify(opts);
  return nf[k] || (nf[k] = new Intl.NumberFormat(lang, opts));
}

// Money arrives as a decimal string ("1234.50"). It is formatted from its digits, so
// no binary float rounding ever shows; currency is the record's currency when known.
// A total that comes per currency (the API's by_currency lists: [{currency, <key>}]),
// each amount with its currency, never added across currencies: "US$12,000.00 ·
// ¥50,000.00". Zero amounts are left out; nothing at all is a plain zero.
export function formatMoneyByCurrency(list, key) {
  const shown = (list || []).filter((x) => x[key] && !/^-?0+(\.0+)?$/.test(x[key]));
  if (!shown.length) return formatMoney('0.00');
  return shown.map((x) => formatMoney(x[key], x.currency || undefined)).join(' · ');
}

export function formatMoney(v, currency) {
  if (v === null || v === undefined || v === '') return '';
  const s = String(v);
  const neg = s.startsWith('-');
  const [whole, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const fmt = numberFormat(currency ? { style: 'currency', currency, minimumFractionDigits: 2 } : { minimumFractionDigits: 2 });
  const parts = fmt.formatToParts(neg ? -0.01 : 0.01);
  // Rebuild with the locale's grouping of the integer part and the exact fraction.
  const group = numberFormat({ useGrouping: true }).formatToParts(1234567).find((p) => p.type === 'group')?.value ?? ',';
  const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  let out = '';
  for (const p of parts) {
    if (p.type === 'integer') out += grouped;
    else if (p.type === 'fraction') out += (frac + '00').slice(0, 2);
    else if (p.type === 'decimal') out += decimal;
    else if (p.type === 'group') continue;
    else out += p.value;
  }
  return out;
}

export function formatNumber(v) {
  if (v === null || v === undefined || v === '') return '';
  return numberFormat({}).format(Number(v));
}

export function formatDate(v) {
  if (!v) return '';
  const [y, m, d] = v.split('-').map(Number);
  return new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

export function formatDateTime(v) {
  if (!v) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(v));
}

export function formatTime(v) {
  return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(v instanceof Date ? v : new Date(v));
}

// An enum value of field f as people read it: the label /meta gives the value
// (enum_labels, enum_labels_zh: every built-in enum has them), else — a custom field's
// enum, or no field — the value with its underscores as spaces. Stage names come from
// the stage records (fields.jsx SourcedName).
export function enumLabel(f, v) {
  if (v === null || v === undefined) return '';
  const zh = lang === 'zh-CN' && f?.enum_labels_zh?.[v];
  return zh || f?.enum_labels?.[v] || String(v).replace(/_/g, ' ');
}

// A stage of GET /pipeline by name: its Chinese label in Chinese when it has one, its
// label, else (a key no deal configuration names any more) its key.
export function stageLabel(s) {
  if (!s) return '';
  return (lang === 'zh-CN' && s.label_zh) || s.label || s.stage;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
// A person's full name: a Chinese (CJK) name family name first without a space
// (李 + 小明 → 李小明), any other "First Last".
export function personName(first, last) {
  if (CJK.test(first || '') || CJK.test(last || '')) return `${last || ''}${first || ''}`;
  return [first, last].filter(Boolean).join(' ');
}
