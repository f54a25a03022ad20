/* The built-in entities, one file each. */
#ifndef RP_MOD_ENTITIES_H
#define RP_MOD_ENTITIES_H

#include "engine/meta.h"

extern const struct entity_def entity_accounts;
extern const struct entity_def entity_contacts;
extern const struct entity_def entity_users;
extern const struct entity_def entity_teams;
extern const struct entity_def entity_pipeline_stages;
extern const struct entity_def entity_leads;
extern const struct entity_def entity_opportunities;
extern const struct entity_def entity_activities;

/* Enum value lists shared between entities. */
extern const char *const meta_lead_sources[];
extern const char *const meta_roles[];
extern const char *const meta_currencies[];
extern const char *const meta_related_types[];

#endif
