/* Teams: groups of users; the `team` permission scope is "owned by someone who
 * shares a team with me". Membership lives on users.team_ids. */
#include "core/common.h"

#include "mod/entities.h"

static const struct field_def FIELDS[] = {
    {"name", "Name", FT_STRING, FF_REQUIRED | FF_UNIQUE | FF_SEARCH | FF_LIST, 100, NULL, NULL,
     "overview", NULL, NULL},
    {"description", "Description", FT_TEXT, FF_SEARCH, 2000, NULL, NULL, "overview", NULL, NULL},
};

const struct entity_def entity_teams = {
    .name = "teams",
    .label = "Team",
    .label_plural = "Teams",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_PLATFORM,
};
