/* Activities: calls, meetings, tasks, notes and e-mails, on the calendar and on the
 * timeline of the record they relate to. */
#include "core/common.h"

#include "mod/entities.h"

const char *const meta_related_types[] = {"accounts", "contacts", "leads", "opportunities", NULL};
static const char *const TYPES[] = {"call", "meeting", "task", "note", "email", NULL};
static const char *const STATUS[] = {"planned", "held", "not_held", "completed", "cancelled",
                                     NULL};
static const char *const PRIORITY[] = {"low", "normal", "high", NULL};
static const char *const DIRECTION[] = {"inbound", "outbound", NULL};

/* A call or meeting lasts at most 31 days (the calendar's bound, crm/sales.h). */
static const struct meta_range DURATION = {0, 31 * 24 * 60};

static const struct field_def FIELDS[] = {
    {"type", "Type", FT_ENUM, FF_REQUIRED | FF_INDEXED | FF_LIST | FF_CREATE_ONLY, 0, TYPES, NULL,
     "overview", NULL, NULL},
    {"subject", "Subject", FT_STRING, FF_REQUIRED | FF_SEARCH | FF_LIST, 200, NULL, NULL,
     "overview", NULL, NULL},
    {"start_at", "Start", FT_DATETIME, FF_INDEXED | FF_LIST, 0, NULL, NULL, "schedule", NULL, NULL},
    {"end_at", "End", FT_DATETIME, FF_INDEXED, 0, NULL, NULL, "schedule", NULL, NULL},
    {"due_at", "Due", FT_DATETIME, FF_INDEXED | FF_LIST, 0, NULL, NULL, "schedule", NULL, NULL},
    {"all_day", "All day", FT_BOOL, 0, 0, NULL, NULL, "schedule", "false", NULL},
    {"reminder_at", "Reminder", FT_DATETIME, FF_INDEXED, 0, NULL, NULL, "schedule", NULL, NULL},
    {"status", "Status", FT_ENUM, FF_REQUIRED | FF_INDEXED | FF_LIST, 0, STATUS, NULL, "overview",
     "planned", NULL},
    {"priority", "Priority", FT_ENUM, FF_REQUIRED | FF_INDEXED, 0, PRIORITY, NULL, "overview",
     "normal", NULL},
    {"direction", "Direction", FT_ENUM, 0, 0, DIRECTION, NULL, "call", NULL, NULL},
    {"duration_minutes", "Duration (minutes)", FT_INT, 0, 0, NULL, NULL, "call", NULL, &DURATION},
    {"outcome", "Outcome", FT_STRING, 0, 255, NULL, NULL, "call", NULL, NULL},
    {"location", "Location", FT_STRING, FF_SEARCH, 255, NULL, NULL, "meeting", NULL, NULL},
    {"attendee_user_ids", "Attendees (users)", FT_MULTI_REF, 0, 0, NULL, "users", "meeting",
     NULL, NULL},
    {"attendee_contact_ids", "Attendees (contacts)", FT_MULTI_REF, 0, 0, NULL, "contacts",
     "meeting", NULL, NULL},
    {"related_type", "Related to (type)", FT_ENUM, FF_INDEXED, 0, meta_related_types, NULL,
     "related", NULL, NULL},
    {"related_id", "Related to", FT_STRING, FF_INDEXED, 36, NULL, NULL, "related", NULL, NULL},
    {"description", "Description", FT_TEXT, FF_SEARCH, 0, NULL, NULL, "description", NULL, NULL},
};

const struct entity_def entity_activities = {
    .name = "activities",
    .label = "Activity",
    .label_plural = "Activities",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "subject",
    .default_sort = "-start_at",
    .span = "start_at,end_at",
};
