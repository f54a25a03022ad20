// Strings of the calendar module's screens, merged into i18n.js by web/src/mod/index.js.
export const en = {
  'nav.calendar': 'Calendar',
  'cal.title': 'Calendar', 'cal.day': 'Day', 'cal.week': 'Week', 'cal.month': 'Month', 'cal.prev': 'Previous', 'cal.next': 'Next',
  'cal.today': 'Today', 'cal.people': 'Show colleagues', 'cal.newAt': 'New meeting at {at}', 'cal.conflict': 'conflict',
  'cal.time': 'time',
};

export const zh = {
  'nav.calendar': '日历',
  'cal.title': '日历', 'cal.day': '日', 'cal.week': '周', 'cal.month': '月', 'cal.prev': '上一页', 'cal.next': '下一页',
  'cal.today': '今天', 'cal.people': '显示同事', 'cal.newAt': '在 {at} 新建会议', 'cal.conflict': '冲突',
  'cal.time': '时间',
};
