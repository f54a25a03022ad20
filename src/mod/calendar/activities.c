/* Activities: calls, meetings, tasks, notes and e-mails, on the calendar, on the
 * timeline of the record they relate to and on the card of its customer. */
#include "core/common.h"

#include "mod/calendar/calendar.h"

static const char *const TYPES[] = {"call", "meeting", "task", "note", "email", NULL};
static const char *const TYPES_LABELS[] = {"Call", "Meeting", "Task", "Note", "E-mail", NULL};
static const char *const TYPES_LABELS_ZH[] = {"电话", "会议", "任务", "备注", "邮件", NULL};
static const char *const STATUS[] = {"planned", "held", "not_held", "completed", "cancelled",
                                     NULL};
static const char *const STATUS_LABELS[] = {"Planned", "Held", "Not held", "Completed", "Cancelled",
    NULL};
static const char *const STATUS_LABELS_ZH[] = {"已计划", "已举行", "未举行", "已完成", "已取消", NULL};
static const char *const PRIORITY[] = {"low", "normal", "high", NULL};
static const char *const PRIORITY_LABELS[] = {"Low", "Normal", "High", NULL};
static const char *const PRIORITY_LABELS_ZH[] = {"低", "普通", "高", NULL};
static const char *const DIRECTION[] = {"inbound", "outbound", NULL};
static const char *const DIRECTION_LABELS[] = {"Inbound", "Outbound", NULL};
static const char *const DIRECTION_LABELS_ZH[] = {"呼入", "呼出", NULL};

/* A call or meeting lasts at most 31 days (the calendar's bound, crm/sales.h). */
static const struct meta_range DURATION = {0, 31 * 24 * 60};

static const struct field_def FIELDS[] = {
    {.name = "type", .label = "Type", .label_zh = "类型", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST | FF_CREATE_ONLY, .enum_values = TYPES,
     .enum_labels = TYPES_LABELS, .enum_labels_zh = TYPES_LABELS_ZH,
     .group = "overview"},
    {.name = "subject", .label = "Subject", .label_zh = "主题", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "start_at", .label = "Start", .label_zh = "开始时间", .type = FT_DATETIME,
     .flags = FF_INDEXED | FF_LIST, .group = "schedule"},
    {.name = "end_at", .label = "End", .label_zh = "结束时间", .type = FT_DATETIME,
     .flags = FF_INDEXED, .group = "schedule"},
    {.name = "due_at", .label = "Due", .label_zh = "截止时间", .type = FT_DATETIME,
     .flags = FF_INDEXED | FF_LIST, .group = "schedule"},
    {.name = "all_day", .label = "All day", .label_zh = "全天", .type = FT_BOOL,
     .group = "schedule", .def = "false"},
    {.name = "reminder_at", .label = "Reminder", .label_zh = "提醒时间", .type = FT_DATETIME,
     .flags = FF_INDEXED | FF_REMINDER, .group = "schedule"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .enum_values = STATUS,
     .enum_labels = STATUS_LABELS, .enum_labels_zh = STATUS_LABELS_ZH, .group = "overview",
     .def = "planned"},
    {.name = "priority", .label = "Priority", .label_zh = "优先级", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED, .enum_values = PRIORITY,
     .enum_labels = PRIORITY_LABELS, .enum_labels_zh = PRIORITY_LABELS_ZH, .group = "overview",
     .def = "normal"},
    {.name = "direction", .label = "Direction", .label_zh = "方向", .type = FT_ENUM,
     .enum_values = DIRECTION,
     .enum_labels = DIRECTION_LABELS, .enum_labels_zh = DIRECTION_LABELS_ZH, .group = "call",
     .shown_when = "type=call"},
    {.name = "duration_minutes", .label = "Duration (minutes)", .label_zh = "时长（分钟）",
     .type = FT_INT, .group = "call", .range = &DURATION, .shown_when = "type=call"},
    {.name = "outcome", .label = "Outcome", .label_zh = "结果", .type = FT_STRING, .maxlen = 255,
     .group = "call", .shown_when = "type=call"},
    {.name = "location", .label = "Location", .label_zh = "地点", .type = FT_STRING,
     .flags = FF_SEARCH, .maxlen = 255, .group = "meeting"},
    {.name = "attendee_user_ids", .label = "Attendees (users)", .label_zh = "参与用户",
     .type = FT_MULTI_REF, .ref_entity = "users", .group = "meeting"},
    {.name = "attendee_contact_ids", .label = "Attendees (contacts)", .label_zh = "参与联系人",
     .type = FT_MULTI_REF, .ref_entity = "contacts", .group = "meeting"},
    /* Invitations by e-mail (itip.h): whether they are sent, and what was sent and
     * answered (null while none was). */
    {.name = "send_invitations", .label = "Send invitations", .label_zh = "发送邀请",
     .type = FT_BOOL, .group = "meeting", .def = "true", .shown_when = "type=meeting"},
    {.name = "invitations", .label = "Invitations", .label_zh = "邀请", .type = FT_JSON,
     .flags = FF_READONLY, .group = "meeting", .shown_when = "type=meeting"},
    {.name = "related_type", .label = "Related to (type)", .label_zh = "关联类型", .type = FT_ENUM,
     .flags = FF_INDEXED | FF_TIMELINE_TYPES, .group = "related"},
    {.name = "related_id", .label = "Related to", .label_zh = "关联记录", .type = FT_STRING,
     .flags = FF_INDEXED, .maxlen = 36, .group = "related", .ref_type_field = "related_type"},
    /* The customer the activity belongs to, derived from what it is about (rollup.c):
     * the account's card shows its contacts', deals' and converted leads' activities. */
    {.name = "account_id", .label = "Account", .label_zh = "客户", .type = FT_REF,
     .flags = FF_INDEXED | FF_READONLY | FF_ROLLUP, .ref_entity = "accounts", .group = "related"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .flags = FF_SEARCH, .group = "description"},
    /* Recurrence (series.c, docs/api.md): a series repeats by its rrule in its time
     * zone; an exception replaces one occurrence (series_id, recurrence_id). */
    {.name = "rrule", .label = "Repeat rule", .label_zh = "重复规则", .type = FT_STRING,
     .maxlen = CALENDAR_RRULE_MAX, .group = "repeat"},
    {.name = "timezone", .label = "Time zone", .label_zh = "时区", .type = FT_STRING,
     .maxlen = 64, .group = "repeat"},
    {.name = "exdates", .label = "Deleted occurrences", .label_zh = "已删除的重复", .type = FT_TEXT,
     .group = "repeat"},
    {.name = "series_id", .label = "Series", .label_zh = "所属系列", .type = FT_REF,
     .flags = FF_INDEXED, .ref_entity = "activities", .group = "repeat"},
    {.name = "recurrence_id", .label = "Original start", .label_zh = "原开始时间",
     .type = FT_DATETIME, .flags = FF_INDEXED, .group = "repeat"},
    {.name = "repeat_until", .label = "Repeats until", .label_zh = "重复至", .type = FT_DATETIME,
     .flags = FF_INDEXED | FF_READONLY, .group = "repeat"},
};

const struct entity_def calendar__activities = {
    .name = "activities",
    .label = "Activity",
    .label_plural = "Activities",
    .label_zh = "活动",
    .label_plural_zh = "活动",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "subject",
    .default_sort = "-start_at",
    .span = "start_at,end_at",
};
