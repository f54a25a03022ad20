/* Activities: calls, meetings, tasks, notes and e-mails, on the calendar and on the
 * timeline of the record they relate to. */
#include "core/common.h"

#include "mod/calendar/calendar.h"

const char *const calendar_related_types[] = {"accounts", "contacts", "leads", "opportunities", NULL};
static const char *const TYPES[] = {"call", "meeting", "task", "note", "email", NULL};
static const char *const STATUS[] = {"planned", "held", "not_held", "completed", "cancelled",
                                     NULL};
static const char *const PRIORITY[] = {"low", "normal", "high", NULL};
static const char *const DIRECTION[] = {"inbound", "outbound", NULL};

/* A call or meeting lasts at most 31 days (the calendar's bound, crm/sales.h). */
static const struct meta_range DURATION = {0, 31 * 24 * 60};

static const struct field_def FIELDS[] = {
    {.name = "type", .label = "Type", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST | FF_CREATE_ONLY, .enum_values = TYPES,
     .group = "overview"},
    {.name = "subject", .label = "Subject", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "start_at", .label = "Start", .type = FT_DATETIME, .flags = FF_INDEXED | FF_LIST,
     .group = "schedule"},
    {.name = "end_at", .label = "End", .type = FT_DATETIME, .flags = FF_INDEXED,
     .group = "schedule"},
    {.name = "due_at", .label = "Due", .type = FT_DATETIME, .flags = FF_INDEXED | FF_LIST,
     .group = "schedule"},
    {.name = "all_day", .label = "All day", .type = FT_BOOL, .group = "schedule", .def = "false"},
    {.name = "reminder_at", .label = "Reminder", .type = FT_DATETIME, .flags = FF_INDEXED,
     .group = "schedule"},
    {.name = "status", .label = "Status", .type = FT_ENUM,
     .flags = FF_REQUIRED | FF_INDEXED | FF_LIST, .enum_values = STATUS, .group = "overview",
     .def = "planned"},
    {.name = "priority", .label = "Priority", .type = FT_ENUM, .flags = FF_REQUIRED | FF_INDEXED,
     .enum_values = PRIORITY, .group = "overview", .def = "normal"},
    {.name = "direction", .label = "Direction", .type = FT_ENUM, .enum_values = DIRECTION,
     .group = "call"},
    {.name = "duration_minutes", .label = "Duration (minutes)", .type = FT_INT, .group = "call",
     .range = &DURATION},
    {.name = "outcome", .label = "Outcome", .type = FT_STRING, .maxlen = 255, .group = "call"},
    {.name = "location", .label = "Location", .type = FT_STRING, .flags = FF_SEARCH, .maxlen = 255,
     .group = "meeting"},
    {.name = "attendee_user_ids", .label = "Attendees (users)", .type = FT_MULTI_REF,
     .ref_entity = "users", .group = "meeting"},
    {.name = "attendee_contact_ids", .label = "Attendees (contacts)", .type = FT_MULTI_REF,
     .ref_entity = "contacts", .group = "meeting"},
    {.name = "related_type", .label = "Related to (type)", .type = FT_ENUM, .flags = FF_INDEXED,
     .enum_values = calendar_related_types, .group = "related"},
    {.name = "related_id", .label = "Related to", .type = FT_STRING, .flags = FF_INDEXED,
     .maxlen = 36, .group = "related", .ref_type_field = "related_type"},
    {.name = "description", .label = "Description", .type = FT_TEXT, .flags = FF_SEARCH,
     .group = "description"},
};

const struct entity_def calendar__activities = {
    .name = "activities",
    .label = "Activity",
    .label_plural = "Activities",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "subject",
    .default_sort = "-start_at",
    .span = "start_at,end_at",
};
