// Strings of the platform module needed on every page — its navigation entries, the
// recycle bin and the Sharing panel of record pages — merged into i18n.js by web/src/mod/index.js. The
// administration screens' strings are in admin-i18n.js, loaded with them.
export const en = {
  'nav.admin': 'Admin', 'nav.recycle': 'Recycle bin',
  'bin.title': 'Recycle bin', 'bin.intro': 'Deleted records stay here until they are restored.',
  'bin.entity': 'Deleted', 'bin.filter': 'Filter by name', 'bin.empty': 'No deleted {entity}.',
  'bin.nothing': 'You may not see deleted records.', 'bin.tableOf': 'Deleted {entity}', 'bin.name': 'Name',
  'bin.deletedAt': 'Deleted', 'bin.owner': 'Owner', 'bin.actions': 'Actions', 'bin.restore': 'Restore',
  'bin.restoreOne': 'Restore {title}', 'bin.restored': 'Restored {title}.', 'bin.open': 'Open it',
  'bin.conflict': 'It cannot be restored: a live record now holds one of its unique values.',
  'share.title': 'Sharing', 'share.none': 'Not shared with anyone.', 'share.with': 'Share with',
  'share.users': 'Users', 'share.teams': 'Teams', 'share.user': '(user)', 'share.team': '(team)',
  'share.accessLabel': 'Access', 'share.access.read': 'can read', 'share.access.edit': 'can edit', 'share.add': 'Share',
  'share.added': 'Shared.', 'share.remove': 'Stop sharing with {name}', 'share.removed': 'No longer shared with {name}.',
  'share.forbidden': 'You may not share this record: {msg}',
};

export const zh = {
  'nav.admin': '管理', 'nav.recycle': '回收站',
  'bin.title': '回收站', 'bin.intro': '已删除的记录保留在这里，直到被恢复。',
  'bin.entity': '已删除的', 'bin.filter': '按名称筛选', 'bin.empty': '没有已删除的{entity}。',
  'bin.nothing': '您无权查看已删除的记录。', 'bin.tableOf': '已删除的{entity}', 'bin.name': '名称',
  'bin.deletedAt': '删除时间', 'bin.owner': '负责人', 'bin.actions': '操作', 'bin.restore': '恢复',
  'bin.restoreOne': '恢复 {title}', 'bin.restored': '已恢复 {title}。', 'bin.open': '打开',
  'bin.conflict': '无法恢复：另一条有效记录已使用了它的唯一值。',
  'share.title': '共享', 'share.none': '尚未共享给任何人。', 'share.with': '共享给',
  'share.users': '用户', 'share.teams': '团队', 'share.user': '（用户）', 'share.team': '（团队）',
  'share.accessLabel': '权限', 'share.access.read': '可查看', 'share.access.edit': '可编辑', 'share.add': '共享',
  'share.added': '已共享。', 'share.remove': '停止与 {name} 共享', 'share.removed': '已停止与 {name} 共享。',
  'share.forbidden': '您不能共享这条记录：{msg}',
};
