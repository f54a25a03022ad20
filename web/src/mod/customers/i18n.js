// Strings of the customers module's screens (the customer card on an account's page),
// merged into i18n.js by web/src/mod/index.js.
export const en = {
  'sum.title': 'Customer card',
  'sum.contacts': 'Contacts', 'sum.open': 'Open deals', 'sum.openAmount': 'Open amount', 'sum.weighted': 'Weighted',
  'sum.won': 'Won deals', 'sum.wonAmount': 'Won revenue', 'sum.lost': 'Lost deals', 'sum.activities': 'Activities', 'sum.last': 'Last activity', 'sum.next': 'Next activity',
};

export const zh = {
  'sum.title': '客户卡片',
  'sum.contacts': '联系人', 'sum.open': '进行中商机', 'sum.openAmount': '进行中金额', 'sum.weighted': '加权金额',
  'sum.won': '赢单数', 'sum.wonAmount': '赢单收入', 'sum.lost': '丢单数', 'sum.activities': '活动', 'sum.last': '最近活动', 'sum.next': '下次活动',
};
