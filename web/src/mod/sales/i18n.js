// Strings of the sales module's screens (the pipeline board), merged into i18n.js by
// web/src/mod/index.js.
export const en = {
  'nav.pipeline': 'Pipeline',
  'pipe.title': 'Pipeline', 'pipe.owner': 'Owner', 'pipe.team': 'Team', 'pipe.closeFrom': 'Close from', 'pipe.closeTo': 'Close to',
  'pipe.all': 'Everyone', 'pipe.move': 'Move {name} to stage', 'pipe.moved': '{name} moved to {stage}.', 'pipe.weighted': 'weighted {v}',
  'pipe.count': '{n} deals',
};

export const zh = {
  'nav.pipeline': '销售漏斗',
  'pipe.title': '销售漏斗', 'pipe.owner': '负责人', 'pipe.team': '团队', 'pipe.closeFrom': '预计成交自', 'pipe.closeTo': '预计成交至',
  'pipe.all': '所有人', 'pipe.move': '将 {name} 移到阶段', 'pipe.moved': '{name} 已移到 {stage}。', 'pipe.weighted': '加权 {v}',
  'pipe.count': '{n} 个商机',
};
