/* Pipeline stages: the ordered steps of a deal, configurable per workspace by admins.
 * Opportunities name a stage by its key (a dynamic enum: FT_ENUM with ref_entity). */
#include "core/common.h"

#include "mod/entities.h"

static const char *const OUTCOMES[] = {"open", "won", "lost", NULL};

/* Positions on the board: a few dozen stages, numbered with gaps to insert between. */
static const struct meta_range ORDER = {0, 1000000};

static const struct field_def FIELDS[] = {
    {"key", "Key", FT_STRING, FF_REQUIRED | FF_UNIQUE | FF_LIST | FF_CREATE_ONLY, 40, NULL, NULL,
     "overview", NULL, NULL},
    {"label", "Label", FT_STRING, FF_REQUIRED | FF_LIST | FF_SEARCH, 100, NULL, NULL, "overview",
     NULL, NULL},
    {"probability", "Probability (%)", FT_PERCENT, FF_REQUIRED | FF_LIST, 0, NULL, NULL,
     "overview", NULL, NULL},
    {"sort_order", "Order", FT_INT, FF_REQUIRED | FF_INDEXED | FF_LIST, 0, NULL, NULL, "overview",
     NULL, &ORDER},
    {"outcome", "Outcome", FT_ENUM, FF_REQUIRED | FF_LIST, 0, OUTCOMES, NULL, "overview", "open",
     NULL},
};

const struct entity_def entity_pipeline_stages = {
    .name = "pipeline_stages",
    .label = "Pipeline stage",
    .label_plural = "Pipeline stages",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "label",
    .default_sort = "sort_order",
    .flags = EF_PLATFORM,
};
