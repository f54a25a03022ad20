/* The service module's messages in Simplified Chinese (core/msg.h). */
#include "core/common.h"

#include "mod/service/service.h"

static const struct msg MESSAGES[] = {
    {"a case cannot move from %s to %s: the next status is one of %s",
     "工单不能从 %s 变为 %s：下一个状态只能是 %s 之一"},
    {"a new case starts as new", "新工单的状态必须是“新建”"},
    {"is required to resolve a case", "解决工单时必须填写"},
    {"must not be in the future", "不能晚于当前时间"},
    {"give a reason when you reassign a case", "转派工单时请填写原因"},
    {"is not a time zone of the tz database", "不是时区数据库中的时区"},
    {"give working hours as 09:00-12:00,13:00-17:00, or leave it empty",
     "请按 09:00-12:00,13:00-17:00 的格式填写工作时间，或留空"},
    {"give at most %d dates as YYYY-MM-DD", "最多填写 %d 个 YYYY-MM-DD 格式的日期"},
    {"another policy is the default: make it not the default first",
     "已有另一个默认策略：请先取消它的默认设置"},
    {"cases.escalate takes no payload", "cases.escalate 不接受参数"},
    {"queue_id must be a queue id", "queue_id 必须是队列 ID"},
    {"must not be before the start date", "不能早于开始日期"},
    {"is required for an entitlement of cases or hours", "服务权益按工单数或小时数计时必须填写"},
    {"must be an agreement of the case's account", "必须是该工单所属客户的服务协议"},
    {"Renew service agreement %s: it ends on %s", "续签服务协议 %s：将于 %s 到期"},
    {"Service agreement %s (%s) of this account ends on %s.", "该客户的服务协议 %s（%s）将于 %s 到期。"},
    {"service_agreements.renew takes no payload", "service_agreements.renew 不接受参数"},
    {"No active service agreement", "没有有效的服务协议"},
    {"No active service agreement covers this product", "没有覆盖此产品的有效服务协议"},
    {"The service agreement has expired", "服务协议已过期"},
    {"The service agreement is not in force", "服务协议未生效"},
    {"Entitlement exhausted", "服务权益已用完"},
    {"account_id must be an account id", "account_id 必须是客户 ID"},
    {"product is too long", "product 过长"},
    {"date must be a date as YYYY-MM-DD", "date 必须是 YYYY-MM-DD 格式的日期"},
    {"a case links at most %d articles", "一个工单最多关联 %d 篇文章"},
    {"only a resolved or closed case becomes an article: resolve it first",
     "只有已解决或已关闭的工单才能生成文章：请先解决工单"},
    {"Problem", "问题"},
    {"Solution", "解决方法"},
    /* reports.c */
    {"group must be queue, owner or month", "group 必须是 queue、owner 或 month"},
    {"period must be day or week", "period 必须是 day 或 week"},
    {"%s must be a date like 2026-01-31", "%s 必须是形如 2026-01-31 的日期"},
    {"from must not be after to", "from 不能晚于 to"},
    {"a backlog covers at most %d days", "积压趋势最多涵盖 %d 天"},
    {"the sums are beyond the range of a number", "合计超出了数值范围"},
};
const struct msg_catalog service__messages = {MESSAGES, RP_NELEM(MESSAGES)};
