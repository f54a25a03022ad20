// English and Simplified Chinese. UI strings live here; entity and field labels come
// from /meta in English and are translated here when a translation is known, so a new
// entity or custom field still shows (with its English label).

const EN = {
  'app.name': 'Rapport',
  'nav.home': 'Home', 'nav.pipeline': 'Pipeline', 'nav.calendar': 'Calendar', 'nav.admin': 'Admin',
  'nav.menu': 'Menu', 'nav.main': 'Main navigation',
  'login.title': 'Sign in to Rapport', 'login.username': 'Username', 'login.password': 'Password',
  'login.submit': 'Sign in', 'login.expired': 'Your session has ended. Sign in again to continue where you were.',
  'login.failed': 'Wrong username or password.', 'login.throttled': 'Too many failed attempts. Try again in {s} seconds.',
  'user.signout': 'Sign out', 'user.language': 'Language',
  'search.label': 'Search everything', 'search.placeholder': 'Search (press /)', 'search.title': 'Search results for “{q}”',
  'search.none': 'Nothing found.', 'search.short': 'Type at least two characters.',
  'list.new': 'New {entity}', 'list.search': 'Search {entity}', 'list.loadMore': 'Load more', 'list.empty': 'No records.',
  'list.count': '{n} records', 'list.shown': '{shown} of {n}', 'list.selectAll': 'Select all rows', 'list.selectRow': 'Select {name}',
  'list.selected': '{n} selected', 'list.reassign': 'Reassign to…', 'list.reassignGo': 'Reassign', 'list.delete': 'Delete',
  'list.deleteConfirm': 'Move {n} records to the recycle bin?', 'list.bulkDone': '{ok} done, {failed} failed',
  'list.filters': 'Filters', 'list.filter': 'Filter {field}', 'list.from': 'from', 'list.to': 'to', 'list.any': 'any',
  'list.export.csv': 'Export CSV', 'list.export.xlsx': 'Export Excel',
  'list.clear': 'Clear filters', 'list.views': 'Saved views', 'list.saveView': 'Save view', 'list.viewName': 'View name',
  'list.deleteView': 'Delete view', 'list.sortBy': 'Sort by {field}', 'list.owner': 'Owner',
  'rec.edit': 'Edit', 'rec.save': 'Save', 'rec.cancel': 'Cancel', 'rec.delete': 'Delete', 'rec.deleted': 'Moved to the recycle bin.',
  'rec.editField': 'Edit {field}', 'rec.timeline': 'Timeline', 'rec.history': 'History', 'rec.related': 'Related',
  'rec.summary': 'Customer card', 'rec.notFound': 'This record does not exist or you may not see it.',
  'rec.stale': 'Someone else changed this record while you were editing. Your input is kept below; reload to see their change, then apply yours again.',
  'rec.reload': 'Reload', 'rec.saved': 'Saved.', 'rec.created': 'Created by {user} on {at}', 'rec.updated': 'Updated {at} · version {v}',
  'rec.more': 'Show more', 'rec.none': 'Nothing yet.', 'rec.changed': '{field}: {old} → {new}', 'rec.createdEvent': '{entity} created: {title}',
  'rec.deactivate': 'Deactivate user', 'rec.activate': 'Reactivate user', 'rec.transfer': 'Transfer records to…', 'rec.transferGo': 'Transfer',
  'rec.transferDone': '{n} records moved.',
  'sum.contacts': 'Contacts', 'sum.open': 'Open deals', 'sum.openAmount': 'Open amount', 'sum.weighted': 'Weighted',
  'sum.won': 'Won deals', 'sum.wonAmount': 'Won revenue', 'sum.lost': 'Lost deals', 'sum.last': 'Last activity', 'sum.next': 'Next activity',
  'form.new': 'New {entity}', 'form.edit': 'Edit {entity}', 'form.required': 'is required', 'form.tooLong': 'is longer than {n} characters',
  'form.email': 'is not a valid e-mail address', 'form.number': 'is not a number', 'form.range': 'must be between {min} and {max}', 'form.invalid': 'Some fields need your attention.',
  'form.dupTitle': 'This looks like a duplicate of:', 'form.dupAnyway': 'Create anyway', 'form.dupSaveAnyway': 'Save anyway',
  'form.conflictTitle': 'This clashes with:', 'form.conflictAnyway': 'Save anyway', 'form.busy': 'busy',
  'form.reasons': 'same {r}', 'form.choose': '— choose —', 'form.yes': 'Yes', 'form.no': 'No',
  'pipe.title': 'Pipeline', 'pipe.owner': 'Owner', 'pipe.team': 'Team', 'pipe.closeFrom': 'Close from', 'pipe.closeTo': 'Close to',
  'pipe.all': 'Everyone', 'pipe.move': 'Move {name} to stage', 'pipe.moved': '{name} moved to {stage}.', 'pipe.weighted': 'weighted {v}',
  'pipe.count': '{n} deals',
  'cal.title': 'Calendar', 'cal.day': 'Day', 'cal.week': 'Week', 'cal.month': 'Month', 'cal.prev': 'Previous', 'cal.next': 'Next',
  'cal.today': 'Today', 'cal.people': 'Show colleagues', 'cal.newAt': 'New meeting at {at}', 'cal.conflict': 'conflict',
  'dash.title': 'Home', 'dash.pipeline': 'Pipeline by stage', 'dash.forecast': 'Forecast by month', 'dash.leads': 'Leads by source',
  'dash.today': 'My activities today', 'dash.overdue': 'Overdue', 'dash.recent': 'Recently changed', 'dash.none': 'Nothing here.',
  'dash.won': 'Won', 'dash.commit': 'Commit', 'dash.best': 'Best case', 'dash.amount': 'Amount', 'dash.unknown': 'unknown',
  'admin.title': 'Administration', 'admin.users': 'Users', 'admin.teams': 'Teams', 'admin.roles': 'Roles', 'admin.stages': 'Pipeline stages',
  'admin.rolesNote': 'Roles are fixed in this version. Each user has one role; what a role may do is described in the API documentation.',
  'admin.role': 'Role', 'admin.members': 'Users with this role', 'admin.yourScopes': 'Your access (scope per action)',
  'err.generic': 'Something went wrong: {msg}', 'err.network': 'The server cannot be reached.', 'err.forbidden': 'You are not allowed to do that.',
  'loading': 'Loading…', 'close': 'Close', 'yes': 'Yes', 'no': 'No', 'back': 'Back',
  'field.owner_id': 'Owner', 'field.created_at': 'Created', 'field.updated_at': 'Updated', 'field.created_by': 'Created by',
  'group.overview': 'Overview', 'group.address': 'Address', 'group.finance': 'Finance', 'group.classification': 'Classification',
  'group.description': 'Description', 'group.contact': 'Contact', 'group.details': 'Details', 'group.access': 'Access',
  'group.preferences': 'Preferences', 'group.person': 'Person', 'group.company': 'Company', 'group.status': 'Status',
  'group.conversion': 'Conversion', 'group.schedule': 'Schedule', 'group.call': 'Call', 'group.meeting': 'Meeting',
  'group.related': 'Related to', 'group.system': 'System',
};

const ZH = {
  'app.name': 'Rapport',
  'nav.home': '首页', 'nav.pipeline': '销售漏斗', 'nav.calendar': '日历', 'nav.admin': '管理',
  'nav.menu': '菜单', 'nav.main': '主导航',
  'login.title': '登录 Rapport', 'login.username': '用户名', 'login.password': '密码', 'login.submit': '登录',
  'login.expired': '会话已结束。请重新登录，然后回到刚才的页面。', 'login.failed': '用户名或密码错误。',
  'login.throttled': '失败次数过多，请在 {s} 秒后重试。',
  'user.signout': '退出', 'user.language': '语言',
  'search.label': '全局搜索', 'search.placeholder': '搜索（按 /）', 'search.title': '“{q}”的搜索结果',
  'search.none': '没有找到结果。', 'search.short': '请至少输入两个字符。',
  'list.new': '新建{entity}', 'list.search': '搜索{entity}', 'list.loadMore': '加载更多', 'list.empty': '没有记录。',
  'list.count': '共 {n} 条', 'list.shown': '{shown} / {n}', 'list.selectAll': '全选', 'list.selectRow': '选择 {name}',
  'list.selected': '已选 {n} 条', 'list.reassign': '转给…', 'list.reassignGo': '转移', 'list.delete': '删除',
  'list.deleteConfirm': '将 {n} 条记录移到回收站？', 'list.bulkDone': '成功 {ok} 条，失败 {failed} 条',
  'list.filters': '筛选', 'list.filter': '筛选{field}', 'list.from': '从', 'list.to': '到', 'list.any': '全部',
  'list.export.csv': '导出 CSV', 'list.export.xlsx': '导出 Excel',
  'list.clear': '清除筛选', 'list.views': '已保存视图', 'list.saveView': '保存视图', 'list.viewName': '视图名称',
  'list.deleteView': '删除视图', 'list.sortBy': '按{field}排序', 'list.owner': '负责人',
  'rec.edit': '编辑', 'rec.save': '保存', 'rec.cancel': '取消', 'rec.delete': '删除', 'rec.deleted': '已移到回收站。',
  'rec.editField': '编辑{field}', 'rec.timeline': '时间线', 'rec.history': '修改历史', 'rec.related': '相关记录',
  'rec.summary': '客户卡片', 'rec.notFound': '该记录不存在，或您无权查看。',
  'rec.stale': '在您编辑时，其他人修改了这条记录。您的输入保留在下方；请重新加载查看他们的修改，然后再次保存。',
  'rec.reload': '重新加载', 'rec.saved': '已保存。', 'rec.created': '{user} 创建于 {at}', 'rec.updated': '更新于 {at} · 版本 {v}',
  'rec.more': '显示更多', 'rec.none': '暂无内容。', 'rec.changed': '{field}：{old} → {new}', 'rec.createdEvent': '新建{entity}：{title}',
  'rec.deactivate': '停用用户', 'rec.activate': '重新启用', 'rec.transfer': '将记录转给…', 'rec.transferGo': '转移',
  'rec.transferDone': '已转移 {n} 条记录。',
  'sum.contacts': '联系人', 'sum.open': '进行中商机', 'sum.openAmount': '进行中金额', 'sum.weighted': '加权金额',
  'sum.won': '赢单数', 'sum.wonAmount': '赢单收入', 'sum.lost': '丢单数', 'sum.last': '最近活动', 'sum.next': '下次活动',
  'form.new': '新建{entity}', 'form.edit': '编辑{entity}', 'form.required': '为必填项', 'form.tooLong': '超过 {n} 个字符',
  'form.email': '不是有效的电子邮件地址', 'form.number': '不是数字', 'form.range': '必须在 {min} 到 {max} 之间', 'form.invalid': '有些字段需要修改。',
  'form.dupTitle': '这可能与以下记录重复：', 'form.dupAnyway': '仍然创建', 'form.dupSaveAnyway': '仍然保存',
  'form.conflictTitle': '时间冲突：', 'form.conflictAnyway': '仍然保存', 'form.busy': '忙碌',
  'form.reasons': '相同的{r}', 'form.choose': '— 请选择 —', 'form.yes': '是', 'form.no': '否',
  'pipe.title': '销售漏斗', 'pipe.owner': '负责人', 'pipe.team': '团队', 'pipe.closeFrom': '预计成交自', 'pipe.closeTo': '预计成交至',
  'pipe.all': '所有人', 'pipe.move': '将 {name} 移到阶段', 'pipe.moved': '{name} 已移到 {stage}。', 'pipe.weighted': '加权 {v}',
  'pipe.count': '{n} 个商机',
  'cal.title': '日历', 'cal.day': '日', 'cal.week': '周', 'cal.month': '月', 'cal.prev': '上一页', 'cal.next': '下一页',
  'cal.today': '今天', 'cal.people': '显示同事', 'cal.newAt': '在 {at} 新建会议', 'cal.conflict': '冲突',
  'dash.title': '首页', 'dash.pipeline': '各阶段商机金额', 'dash.forecast': '按月预测', 'dash.leads': '线索来源',
  'dash.today': '我今天的活动', 'dash.overdue': '已逾期', 'dash.recent': '最近修改', 'dash.none': '暂无。',
  'dash.won': '已赢单', 'dash.commit': '承诺', 'dash.best': '最佳情况', 'dash.amount': '金额', 'dash.unknown': '未知',
  'admin.title': '系统管理', 'admin.users': '用户', 'admin.teams': '团队', 'admin.roles': '角色', 'admin.stages': '销售阶段',
  'admin.rolesNote': '此版本的角色是固定的。每个用户有一个角色；各角色的权限见 API 文档。',
  'admin.role': '角色', 'admin.members': '拥有此角色的用户', 'admin.yourScopes': '您的权限（各操作的范围）',
  'err.generic': '出错了：{msg}', 'err.network': '无法连接服务器。', 'err.forbidden': '您无权执行此操作。',
  'loading': '加载中…', 'close': '关闭', 'yes': '是', 'no': '否', 'back': '返回',
  'entity.accounts': '客户', 'entity.contacts': '联系人', 'entity.users': '用户', 'entity.teams': '团队',
  'entity.pipeline_stages': '销售阶段', 'entity.leads': '线索', 'entity.opportunities': '商机', 'entity.activities': '活动',
  'field.name': '名称', 'field.type': '类型', 'field.industry': '行业', 'field.size': '规模', 'field.tax_id': '税号',
  'field.website': '网站', 'field.phone': '电话', 'field.email': '电子邮件', 'field.annual_revenue': '年收入',
  'field.status': '状态', 'field.tier': '等级', 'field.tier_computed': '计算等级', 'field.description': '描述',
  'field.first_name': '名', 'field.last_name': '姓', 'field.title': '职位', 'field.department': '部门',
  'field.account_id': '客户', 'field.contact_id': '联系人', 'field.phone_work': '工作电话', 'field.phone_mobile': '手机',
  'field.username': '用户名', 'field.display_name': '显示名称', 'field.password': '密码', 'field.role': '角色',
  'field.team_ids': '团队', 'field.active': '启用', 'field.locale': '语言', 'field.key': '键', 'field.label': '标签',
  'field.probability': '可能性', 'field.sort_order': '排序', 'field.outcome': '结果', 'field.company': '公司',
  'field.source': '来源', 'field.rating': '评级', 'field.amount': '金额', 'field.currency': '币种', 'field.stage': '阶段',
  'field.expected_close_date': '预计成交日期', 'field.subject': '主题', 'field.start_at': '开始时间', 'field.end_at': '结束时间',
  'field.due_at': '截止时间', 'field.priority': '优先级', 'field.location': '地点', 'field.attendee_user_ids': '参与用户',
  'field.owner_id': '负责人', 'field.created_at': '创建时间', 'field.updated_at': '更新时间', 'field.created_by': '创建人',
  'field.billing_city': '账单城市', 'field.city': '城市', 'field.country': '国家', 'field.next_step': '下一步',
  'group.overview': '概览', 'group.address': '地址', 'group.finance': '财务', 'group.classification': '分类',
  'group.description': '描述', 'group.contact': '联系方式', 'group.details': '详情', 'group.access': '访问权限',
  'group.preferences': '偏好', 'group.person': '个人', 'group.company': '公司', 'group.status': '状态',
  'group.conversion': '转化', 'group.schedule': '日程', 'group.call': '电话', 'group.meeting': '会议',
  'group.related': '关联', 'group.system': '系统',
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

// Translations of metadata labels, falling back to the English label from /meta.
export function entityLabel(e, plural = true) {
  return DICTS[lang][`entity.${e.name}`] ?? (plural ? e.label_plural : e.label);
}
export function fieldLabel(f) {
  return DICTS[lang][`field.${f.name}`] ?? f.label;
}

const nf = {};
function numberFormat(opts) {
  const k = lang + JSON.stringify(opts);
  return nf[k] || (nf[k] = new Intl.NumberFormat(lang, opts));
}

// Money arrives as a decimal string ("1234.50"). It is formatted from its digits, so
// no binary float rounding ever shows; currency is the record's currency when known.
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

// Enum values: "needs_analysis" → "needs analysis" (stage labels come from the API).
export function enumLabel(v) {
  return v === null || v === undefined ? '' : String(v).replace(/_/g, ' ');
}
