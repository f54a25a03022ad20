/* The knowledge base's messages in Simplified Chinese (core/msg.h). */
#include "core/common.h"

#include "mod/kb/kb.h"

static const struct msg MESSAGES[] = {
    {"a published article needs a body", "已发布的文章必须有正文"},
    {"this reader has given feedback on the article already: change it instead",
     "该读者已对此文章提交过反馈：请修改原反馈"},
    {"an article is not a translation of itself", "文章不能是自身的译文"},
    {"link a translation to the original article, not to another translation",
     "请将译文关联到原文，而不是另一篇译文"},
    {"a translation is in another language than its original", "译文的语言必须与原文不同"},
    {"is not a render option", "不是渲染选项"},
    {"must be Markdown text", "必须是 Markdown 文本"},
    {"is longer than %u bytes", "超过 %u 字节"},
    {"a version is a number from 1", "版本号必须是从 1 开始的数字"},
    {"the article has no such version", "此文章没有该版本"},
    {"is not a feedback option", "不是反馈选项"},
    {"unknown parameter %.*s: suggestions take q, language and limit",
     "未知参数 %.*s：推荐只接受 q、language 和 limit"},
    {"give the text to match as ?q=", "请用 ?q= 提供要匹配的文字"},
    {"language must be en or zh-CN", "language 必须是 en 或 zh-CN"},
    {"limit must be a number from 1 to %u", "limit 必须是 1 到 %u 之间的数字"},
};
const struct msg_catalog kb__messages = {MESSAGES, RP_NELEM(MESSAGES)};
