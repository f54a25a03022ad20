/* The automation module's messages in Simplified Chinese (core/msg.h). */
#include "core/common.h"

#include "mod/automation/automation.h"

static const struct msg MESSAGES[] = {
    {"only administrators read the automation settings", "只有管理员可以查看自动化设置"},
    {"only administrators change the automation settings", "只有管理员可以修改自动化设置"},
    {"only administrators manage webhooks", "只有管理员可以管理 Webhook"},
    {"must be a whole number from %lld to %lld", "必须是 %lld 到 %lld 之间的整数"},
    {"must be text of at most %u characters", "必须是不超过 %u 个字符的文本"},
    {"\"%.*s\" is not an address, a range (10.0.0.0/8) or a host name (at most %u entries)",
     "“%.*s”不是地址、地址段（10.0.0.0/8）或主机名（最多 %u 项）"},
    {"is not an automation setting", "不是自动化设置项"},
    {"is not a kind of record (give its API name: contacts)",
     "不是记录类型（请填写其 API 名称，如 contacts）"},
    {"must be an http:// or https:// address", "必须是 http:// 或 https:// 地址"},
    {"is a %s address: an administrator must add it to the allow-list of the automation"
     " settings first",
     "是%s地址：须先由管理员加入自动化设置的允许列表"},
    {"a test is sent again with Send test", "测试请用“发送测试”重新发送"},
    {"only a failed delivery is delivered again", "只有失败的投递可以重新投递"},
    {"Webhook %s is paused: %s", "Webhook %s 已暂停：%s"},
};
const struct msg_catalog au__messages = {MESSAGES, RP_NELEM(MESSAGES)};
