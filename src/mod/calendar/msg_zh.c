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
    /* Recurring activities (series.c, occurrences.c, sql.c). */
    {"is not an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO,WE)",
     "不是 RFC 5545 RRULE 重复规则（例如 FREQ=WEEKLY;BYDAY=MO,WE）"},
    {"may use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS and WKST only",
     "只能使用 FREQ、INTERVAL、COUNT、UNTIL、BYDAY、BYMONTHDAY、BYMONTH、BYSETPOS 和 WKST"},
    {"repeats daily, weekly, monthly or yearly at most often", "最频繁只能按天、周、月或年重复"},
    {"takes COUNT or UNTIL, not both", "COUNT 和 UNTIL 只能选其一"},
    {"repeats at most %d times", "最多重复 %d 次"},
    {"is not a known time zone (an IANA name such as Europe/Berlin)",
     "不是已知的时区（请使用 IANA 名称，例如 Asia/Shanghai）"},
    {"ends (UNTIL) before start_at", "结束日期（UNTIL）早于开始时间"},
    {"has no occurrence", "没有任何一次重复"},
    {"must be the rule's first occurrence (%s)", "必须是规则的第一次重复（%s）"},
    {"is not a repeating activity", "不是重复活动"},
    {"is not an occurrence of the series", "不是该系列中的一次重复"},
    {"the occurrence has an exception already", "这次重复已有例外记录"},
    {"takes at most %d date-times (RFC 3339, in UTC) separated by commas",
     "最多 %d 个以逗号分隔的日期时间（RFC 3339，UTC）"},
    {"series_id and recurrence_id go together", "所属系列和原开始时间必须同时填写"},
    {"is not for an exception of a series", "不能用于系列中的例外"},
    {"is required for a repeating activity", "重复活动必须填写"},
    {"must be an RFC 3339 date-time", "必须是 RFC 3339 日期时间"},
    {"an occurrence is named by its original start, an RFC 3339 date-time",
     "一次重复以其原开始时间（RFC 3339 日期时间）标识"},
    {"the activity does not repeat", "此活动不重复"},
    {"the series has no occurrence at this time", "该系列在此时间没有重复"},
    {"give the scope as ?scope=this, following or all",
     "请用 ?scope=this、following 或 all 指定范围"},
    {"is set by the scope of the change", "由更改范围决定"},
    {"more than %u repeating activities in range: ask for fewer people",
     "范围内的重复活动超过 %u 个：请减少人数"},
};
const struct msg_catalog calendar__messages = {MESSAGES, RP_NELEM(MESSAGES)};
