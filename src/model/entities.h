/* The built-in entities, one file each. */
#ifndef RP_MODEL_ENTITIES_H
#define RP_MODEL_ENTITIES_H

#include "model/meta.h"

extern const struct entity_def entity_accounts;
extern const struct entity_def entity_contacts;
extern const struct entity_def entity_users;
extern const struct entity_def entity_teams;

/* Enum value lists shared between entities. */
extern const char *const meta_lead_sources[];
extern const char *const meta_roles[];

#endif
