// Strings of the notification centre, merged into i18n.js by web/src/mod/index.js.
export const en = {
  'ntf.bell': 'Notifications', 'ntf.bellUnread': 'Notifications, {n} unread', 'ntf.title': 'Notifications',
  'ntf.readAll': 'Mark all read', 'ntf.read': 'Mark read', 'ntf.none': 'No notifications.', 'ntf.all': 'All notifications and settings',
  'ntf.loadMore': 'Load more', 'ntf.unread': 'unread',
  'ntf.assigned': '{who} assigned you: {title}', 'ntf.assignedSys': 'Assigned to you: {title}',
  'ntf.mention': '{who} mentioned you in: {title}', 'ntf.mentionSys': 'You were mentioned in: {title}',
  'ntf.changed': '{who} changed: {title}', 'ntf.changedSys': 'Changed: {title}',
  'ntf.reminder': 'Reminder: {title}', 'ntf.reminderLate': 'Reminder: {title} (was due at {at})',
  'ntf.snooze': 'Snooze', 'ntf.snoozeFor': 'Snooze for', 'ntf.snoozed': 'Snoozed until {at}.', 'ntf.dismiss': 'Dismiss', 'ntf.open': 'Open',
  'ntf.min': '{n} minutes', 'ntf.hour': '1 hour', 'ntf.day': '1 day',
  'ntf.prefs': 'How you are told', 'ntf.prefsHelp': 'For each kind of notification: in the app (the bell), by e-mail, both, or not at all. E-mails are sent once outgoing e-mail is set up.',
  'ntf.kind': 'Kind', 'ntf.channel': 'Channel', 'ntf.save': 'Save', 'ntf.saved': 'Saved.',
  'ntf.kind.assigned': 'A record is assigned to me', 'ntf.kind.mention': 'I am mentioned (@username) in a note',
  'ntf.kind.reminder': 'Reminders of my activities', 'ntf.kind.changed': 'Someone else changes a record of mine',
  'ntf.ch.in_app': 'In the app', 'ntf.ch.email': 'By e-mail', 'ntf.ch.both': 'In the app and by e-mail', 'ntf.ch.off': 'Off',
};

export const zh = {
  'ntf.bell': '通知', 'ntf.bellUnread': '通知，{n} 条未读', 'ntf.title': '通知',
  'ntf.readAll': '全部标为已读', 'ntf.read': '标为已读', 'ntf.none': '没有通知。', 'ntf.all': '全部通知和设置',
  'ntf.loadMore': '加载更多', 'ntf.unread': '未读',
  'ntf.assigned': '{who} 将此分配给您：{title}', 'ntf.assignedSys': '已分配给您：{title}',
  'ntf.mention': '{who} 在此提到了您：{title}', 'ntf.mentionSys': '有人在此提到了您：{title}',
  'ntf.changed': '{who} 修改了：{title}', 'ntf.changedSys': '已修改：{title}',
  'ntf.reminder': '提醒：{title}', 'ntf.reminderLate': '提醒：{title}（原定于 {at}）',
  'ntf.snooze': '稍后提醒', 'ntf.snoozeFor': '稍后提醒时长', 'ntf.snoozed': '将于 {at} 再次提醒。', 'ntf.dismiss': '关闭', 'ntf.open': '打开',
  'ntf.min': '{n} 分钟', 'ntf.hour': '1 小时', 'ntf.day': '1 天',
  'ntf.prefs': '通知方式', 'ntf.prefsHelp': '为每类通知选择：在应用内（铃铛）、通过电子邮件、两者，或不通知。设置好外发邮件后才会发送电子邮件。',
  'ntf.kind': '类型', 'ntf.channel': '方式', 'ntf.save': '保存', 'ntf.saved': '已保存。',
  'ntf.kind.assigned': '有记录分配给我', 'ntf.kind.mention': '有人在备注中提到我（@用户名）',
  'ntf.kind.reminder': '我的活动提醒', 'ntf.kind.changed': '他人修改了我的记录',
  'ntf.ch.in_app': '应用内', 'ntf.ch.email': '电子邮件', 'ntf.ch.both': '应用内和电子邮件', 'ntf.ch.off': '关闭',
};
