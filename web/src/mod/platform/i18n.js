// Strings of the platform module needed on every page — its navigation entry and the
// Sharing panel of record pages — merged into i18n.js by web/src/mod/index.js. The
// administration screens' strings are in admin-i18n.js, loaded with them.
export const en = {
  'nav.admin': 'Admin',
  'share.title': 'Sharing', 'share.none': 'Not shared with anyone.', 'share.with': 'Share with',
  'share.users': 'Users', 'share.teams': 'Teams', 'share.user': '(user)', 'share.team': '(team)',
  'share.accessLabel': 'Access', 'share.access.read': 'can read', 'share.access.edit': 'can edit', 'share.add': 'Share',
  'share.added': 'Shared.', 'share.remove': 'Stop sharing with {name}', 'share.removed': 'No longer shared with {name}.',
  'share.forbidden': 'You may not share this record: {msg}',
};

export const zh = {
  'nav.admin': '管理',
  'share.title': '共享', 'share.none': '尚未共享给任何人。', 'share.with': '共享给',
  'share.users': '用户', 'share.teams': '团队', 'share.user': '（用户）', 'share.team': '（团队）',
  'share.accessLabel': '权限', 'share.access.read': '可查看', 'share.access.edit': '可编辑', 'share.add': '共享',
  'share.added': '已共享。', 'share.remove': '停止与 {name} 共享', 'share.removed': '已停止与 {name} 共享。',
  'share.forbidden': '您不能共享这条记录：{msg}',
};
