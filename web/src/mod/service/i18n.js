// Strings of the service module's screens, merged into i18n.js by web/src/mod/index.js.
export const en = {
  'nav.worklist': 'My cases',
  'svc.sla': 'Service level', 'svc.response': 'First response', 'svc.resolution': 'Resolution',
  'svc.target': 'Target', 'svc.minutes': '{n} working minutes', 'svc.due': 'Due', 'svc.left': '{t} left',
  'svc.overdue': '{t} overdue', 'svc.paused': 'Paused: waiting on the customer', 'svc.met': 'Met on {at}',
  'svc.metLate': 'Met late on {at}', 'svc.noPolicy': 'No service-level policy applies to this case.',
  'svc.hm': '{h} h {m} min', 'svc.m': '{m} min', 'svc.d': '{d} d {h} h',
  'svc.new': 'New case', 'svc.newTitle': 'New case for {name}', 'svc.save': 'Save case',
  'svc.saves': 'saves', 'svc.closes': 'closes', 'svc.cancel': 'Cancel', 'svc.made': 'Case {number} created',
  'svc.worklist': 'My cases and queues', 'svc.mine': 'My cases', 'svc.queue': 'Queue',
  'svc.none': 'No open cases here.', 'svc.timeLeft': 'Time left',
  'svc.mostUrgent': 'The {n} most urgent cases are shown.', 'svc.showMore': 'Show up to {n}',
  'group.assignment': 'Assignment', 'group.resolution': 'Resolution', 'group.sla': 'SLA details',
  'group.rules': 'Assignment rules', 'group.targets': 'Targets', 'group.hours': 'Working hours',
};

export const zh = {
  'nav.worklist': '我的工单',
  'svc.sla': '服务等级', 'svc.response': '首次响应', 'svc.resolution': '解决',
  'svc.target': '目标', 'svc.minutes': '{n} 个工作分钟', 'svc.due': '期限', 'svc.left': '剩余 {t}',
  'svc.overdue': '已超时 {t}', 'svc.paused': '已暂停：等待客户', 'svc.met': '已于 {at} 达成',
  'svc.metLate': '已于 {at} 达成（超时）', 'svc.noPolicy': '此工单没有适用的服务等级策略。',
  'svc.hm': '{h} 小时 {m} 分钟', 'svc.m': '{m} 分钟', 'svc.d': '{d} 天 {h} 小时',
  'svc.new': '新建工单', 'svc.newTitle': '为 {name} 新建工单', 'svc.save': '保存工单',
  'svc.saves': '保存', 'svc.closes': '关闭', 'svc.cancel': '取消', 'svc.made': '已创建工单 {number}',
  'svc.worklist': '我的工单与队列', 'svc.mine': '我的工单', 'svc.queue': '队列',
  'svc.none': '这里没有未结工单。', 'svc.timeLeft': '剩余时间',
  'svc.mostUrgent': '仅显示最紧急的 {n} 个工单。', 'svc.showMore': '最多显示 {n} 个',
  'group.assignment': '分派', 'group.resolution': '解决', 'group.sla': '服务等级明细',
  'group.rules': '分派规则', 'group.targets': '目标', 'group.hours': '工作时间',
};
