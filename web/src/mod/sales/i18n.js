// Strings of the sales module's screens (the pipeline board, lead conversion), merged into i18n.js by
// web/src/mod/index.js.
export const en = {
  'nav.pipeline': 'Pipeline',
  'pipe.title': 'Pipeline', 'pipe.owner': 'Owner', 'pipe.team': 'Team', 'pipe.closeFrom': 'Close from', 'pipe.closeTo': 'Close to',
  'pipe.all': 'Everyone', 'pipe.move': 'Move {name} to stage', 'pipe.moved': '{name} moved to {stage}.', 'pipe.weighted': 'weighted {v}',
  'pipe.board': 'Pipeline stages', 'pipe.scrollLeft': 'Show earlier stages', 'pipe.scrollRight': 'Show later stages',
  'pipe.count': '{n} deals', 'pipe.lostReason': 'Why was “{name}” lost?',
  'conv.open': 'Convert lead', 'conv.title': 'Convert {name}', 'conv.submit': 'Convert',
  'conv.new.accounts': 'Create a new account “{name}”', 'conv.new.contacts': 'Create a new contact “{name}”',
  'conv.existing.accounts': 'Add to an existing account', 'conv.existing.contacts': 'Use an existing contact',
  'conv.pick.accounts': 'Existing account', 'conv.pick.contacts': 'Existing contact',
  'conv.withDeal': 'Create an opportunity', 'conv.dealName': '{company} deal',
  'conv.dupTitle.accounts': 'The new account looks like one that exists:', 'conv.dupTitle.contacts': 'The new contact looks like one that exists:',
  'conv.useThis': 'Use {name}', 'conv.useThisShort': 'Use this one', 'conv.createAnyway': 'Create new anyway',
  'conv.invalid': 'Some values are not valid: see the fields marked.', 'conv.done': 'Lead converted.',
  'conv.openContact': 'Open the contact', 'conv.openDeal': 'Open the opportunity',
};

export const zh = {
  'nav.pipeline': '销售漏斗',
  'pipe.title': '销售漏斗', 'pipe.owner': '负责人', 'pipe.team': '团队', 'pipe.closeFrom': '预计成交自', 'pipe.closeTo': '预计成交至',
  'pipe.all': '所有人', 'pipe.move': '将 {name} 移到阶段', 'pipe.moved': '{name} 已移到 {stage}。', 'pipe.weighted': '加权 {v}',
  'pipe.board': '销售管道阶段', 'pipe.scrollLeft': '显示前面的阶段', 'pipe.scrollRight': '显示后面的阶段',
  'pipe.count': '{n} 个商机', 'pipe.lostReason': '“{name}”为什么丢单？',
  'conv.open': '转换线索', 'conv.title': '转换 {name}', 'conv.submit': '转换',
  'conv.new.accounts': '新建客户“{name}”', 'conv.new.contacts': '新建联系人“{name}”',
  'conv.existing.accounts': '加入已有客户', 'conv.existing.contacts': '使用已有联系人',
  'conv.pick.accounts': '已有客户', 'conv.pick.contacts': '已有联系人',
  'conv.withDeal': '同时创建商机', 'conv.dealName': '{company} 商机',
  'conv.dupTitle.accounts': '新客户与已有客户相似：', 'conv.dupTitle.contacts': '新联系人与已有联系人相似：',
  'conv.useThis': '使用 {name}', 'conv.useThisShort': '使用这条', 'conv.createAnyway': '仍然新建',
  'conv.invalid': '有些值无效：请查看标出的字段。', 'conv.done': '线索已转换。',
  'conv.openContact': '打开联系人', 'conv.openDeal': '打开商机',
};
