/* The calendar module's messages in Simplified Chinese (core/msg.h). */
#include "core/common.h"

#include "mod/calendar/calendar.h"

static const struct msg MESSAGES[] = {
    {"more than %u activities in range: ask for a shorter period",
     "范围内的活动超过 %u 个：请缩短时间段"},
    {"the activities in range hold too much text to show at once: ask for a shorter period",
     "范围内的活动文字太多，无法一次显示：请缩短时间段"},
    {"the activity overlaps %zu other activity of its attendees; send allow_conflict=true to "
     "save it anyway",
     "此活动与参与人的 %zu 个其他活动时间冲突；如仍要保存，请发送 allow_conflict=true"},
    {"the activity overlaps %zu other activities of its attendees; send allow_conflict=true to "
     "save it anyway",
     "此活动与参与人的 %zu 个其他活动时间冲突；如仍要保存，请发送 allow_conflict=true"},
    {"is required for meetings and calls", "会议和电话必须填写"},
    {"must not be before start_at", "不能早于开始时间"},
    {"an activity lasts at most %d days", "一个活动最长 %d 天"},
    {"related_type and related_id go together", "关联类型和关联记录必须同时填写"},
    {"%s must be a date or an RFC 3339 date-time", "%s 必须是日期或 RFC 3339 日期时间"},
    {"from must be before to", "from 必须早于 to"},
    {"at most %u users", "最多 %u 个用户"},
    {"user_ids must be user ids", "user_ids 必须是用户 ID"},
    {"give the range as ?from=…&to=…", "请用 ?from=…&to=… 指定范围"},
    {"give an API token as ?token=", "请用 ?token= 提供 API 令牌"},
};
const struct msg_catalog calendar__messages = {MESSAGES, RP_NELEM(MESSAGES)};
