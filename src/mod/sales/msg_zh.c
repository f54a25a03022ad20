/* The sales module's messages in Simplified Chinese (core/msg.h). */
#include "core/common.h"

#include "mod/sales/sales.h"

static const struct msg MESSAGES[] = {
    {"the sums are beyond the range of a number", "合计超出了数值范围"},
    {"no account with this id", "没有此 ID 的客户"},
    {"no contact with this id", "没有此 ID 的联系人"},
    {"convert", "转换"},
    {"this lead was converted already", "此线索已经转换过了"},
    {"is set by converting the lead", "由转换线索设置"},
    {"your role hides the amounts of opportunities", "您的角色看不到商机的金额"},
    {"use lower-case letters, digits and _, starting with a letter",
     "只能使用小写字母、数字和 _，并以字母开头"},
    {"%lld deal is still in this stage: move it to another stage first",
     "此阶段还有 %lld 个商机：请先把它移到其他阶段"},
    {"%lld deals are still in this stage: move them to another stage first",
     "此阶段还有 %lld 个商机：请先把它们移到其他阶段"},
    {"period must be month", "period 必须是 month"},
    {"is not a conversion option", "不是转换选项"},
    {"must be an account id", "必须是客户 ID"},
    {"must be a contact id", "必须是联系人 ID"},
    {"must be an object of opportunity fields", "必须是由商机字段组成的对象"},
    {"retier takes window_days (a number of days)", "重新分级只接受 window_days（天数）"},
    {"window_days must be between 1 and 3660", "window_days 必须在 1 到 3660 之间"},
    {"only administrators and managers (who edit their teams' accounts) retier accounts",
     "只有管理员和经理（可编辑本团队客户的人）才能重新给客户分级"},
    {"accounts.retier takes the window in days as its payload",
     "accounts.retier 的参数是以天为单位的时间窗口"},
};
const struct msg_catalog sales__messages = {MESSAGES, RP_NELEM(MESSAGES)};
