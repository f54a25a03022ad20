/* The mail module's messages in Simplified Chinese (core/msg.h). */
#include "core/common.h"

#include "mod/mail/mail.h"

static const struct msg MESSAGES[] = {
    {"is not a server name or address", "不是有效的服务器名称或地址"},
    {"must be printable ASCII without quotes or backslashes", "只能包含可打印的 ASCII 字符，且不能有引号或反斜杠"},
    {"is not a member of this request", "不是此请求的成员"},
    {"give the mailbox's password", "请填写邮箱密码"},
    {"must be at most 255 characters without control characters", "最多 255 个字符，且不能包含控制字符"},
    {"cannot be kept: the server has no secret key (see the operations guide)", "无法保存：服务器没有密钥（见运维指南）"},
    {"read", "读取"},
    {"must not hold line breaks or control characters", "不能包含换行符或控制字符"},
    {"is not a list of e-mail addresses", "不是有效的电子邮件地址列表"},
    {"holds more than %u addresses", "地址超过 %u 个"},
    {"give an address, or a contact or lead with one", "请填写地址，或选择有邮件地址的联系人或线索"},
    {"give a subject, or a template with one", "请填写主题，或选择有主题的模板"},
    {"is longer than %u characters", "超过 %u 个字符"},
    {"give a text or HTML body, or a template with one", "请填写纯文本或 HTML 正文，或选择有正文的模板"},
    {"give a text or HTML body", "请填写纯文本或 HTML 正文"},
    {"renders a text too long", "合并后的文字过长"},
    {"has an unknown or malformed merge field %.*s", "含有未知或格式错误的合并字段 %.*s"},
    {"only administrators change the mail settings", "只有管理员可以修改邮件设置"},
    {"only administrators read the mail settings", "只有管理员可以查看邮件设置"},
    {"only administrators send a test message", "只有管理员可以发送测试邮件"},
    {"is not a mail setting", "不是邮件设置项"},
    {"must be a whole number from %lld to %lld", "必须是 %lld 到 %lld 之间的整数"},
    {"must be true or false", "必须是 true 或 false"},
    {"must be none, starttls or tls", "必须是 none、starttls 或 tls"},
    {"must be text", "必须是文字"},
    {"is not an e-mail address", "不是有效的电子邮件地址"},
    {"cannot be kept: the server has no secret key (set RAPPORT_SECRET_KEY or a key file, see "
     "the operations guide)",
     "无法保存：服务器没有密钥（请设置 RAPPORT_SECRET_KEY 或密钥文件，见运维指南）"},
    {"could not be encrypted", "无法加密"},
    {"is not a test option", "不是测试选项"},
    {"no SMTP server is configured", "尚未配置 SMTP 服务器"},
    {"no From address is configured", "尚未配置发件人地址"},
    {"is not a field of an e-mail", "不是邮件的字段"},
    {"your role may not write e-mails", "您的角色不能撰写邮件"},
    {"related_type and related_id go together", "关联类型和关联记录必须同时填写"},
    /* a mailing (batch.c) */
    {"give a list of messages", "请提供邮件列表"},
    {"holds more than %u messages", "邮件超过 %u 封"},
    {"must be an object of e-mail fields", "必须是由邮件字段组成的对象"},
    /* notification e-mails (notify_mail.c), worded as the notification centre's */
    {"Open it:", "打开："},
    {"You receive this e-mail because of your notification settings in Rapport.",
     "您收到此邮件，是因为您在 Rapport 中的通知设置。"},
    {"You receive this e-mail because of your notification settings:",
     "您收到此邮件，是因为您的通知设置："},
};
const struct msg_catalog mail__messages = {MESSAGES, RP_NELEM(MESSAGES)};
