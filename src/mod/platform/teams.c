/* Teams: groups of users; the `team` permission scope is "owned by someone who
 * shares a team with me", `team_and_below` adds the teams below mine (parent_id: a
 * sales hierarchy). Membership lives on users.team_ids. */
#include "core/common.h"

#include "mod/platform/platform.h"

static const struct field_def FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_UNIQUE | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview"},
    {.name = "description", .label = "Description", .label_zh = "描述", .type = FT_TEXT,
     .flags = FF_SEARCH, .maxlen = 2000, .group = "overview"},
    {.name = "parent_id", .label = "Parent team", .label_zh = "上级", .type = FT_REF,
     .ref_entity = "teams", .flags = FF_INDEXED | FF_LIST, .group = "overview"},
};

const struct entity_def platform__teams = {
    .name = "teams",
    .label = "Team",
    .label_plural = "Teams",
    .label_zh = "团队",
    .label_plural_zh = "团队",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_PLATFORM | EF_OWN_SCREEN,
};

