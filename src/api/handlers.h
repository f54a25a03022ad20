/* The handlers of the API's own routes (routes.c lists them). */
#ifndef RP_API_HANDLERS_H
#define RP_API_HANDLERS_H

#include "api/route.h"

/* records.c, auth_routes.c, ops_routes.c */
unsigned api__list(struct api_call *c);
unsigned api__create(struct api_call *c);
unsigned api__get(struct api_call *c);
unsigned api__update(struct api_call *c);
unsigned api__upsert_external(struct api_call *c);
unsigned api__delete(struct api_call *c);
unsigned api__restore(struct api_call *c);
unsigned api__purge(struct api_call *c);
unsigned api__purge_bin(struct api_call *c);
unsigned api__history(struct api_call *c);
unsigned api__timeline(struct api_call *c);
unsigned api__search(struct api_call *c);
unsigned api__phone_lookup(struct api_call *c);
unsigned api__duplicates(struct api_call *c);
unsigned api__merge(struct api_call *c);
unsigned api__export(struct api_call *c);
unsigned api__login(struct api_call *c);
unsigned api__logout(struct api_call *c);
unsigned api__me(struct api_call *c);
unsigned api__token_create(struct api_call *c);
unsigned api__token_list(struct api_call *c);
unsigned api__token_delete(struct api_call *c);
unsigned api__security_events(struct api_call *c);
unsigned api__meta_route(struct api_call *c);
unsigned api__openapi_route(struct api_call *c);
unsigned api__health(struct api_call *c);
unsigned api__metrics(struct api_call *c);
unsigned api__system_status(struct api_call *c);
unsigned api__job_create(struct api_call *c);
unsigned api__job_get(struct api_call *c);
unsigned api__import_create(struct api_call *c);
unsigned api__import_preview(struct api_call *c);
unsigned api__import_get(struct api_call *c);
unsigned api__settings_get(struct api_call *c);
unsigned api__settings_update(struct api_call *c);
unsigned api__shares(struct api_call *c);
unsigned api__share_create(struct api_call *c);
unsigned api__share_delete(struct api_call *c);
/* notify_routes.c */
unsigned api__notify_list(struct api_call *c);
unsigned api__notify_stream(struct api_call *c);
unsigned api__notify_prefs(struct api_call *c);
unsigned api__notify_prefs_set(struct api_call *c);
unsigned api__notify_read_all(struct api_call *c);
unsigned api__notify_read(struct api_call *c);
unsigned api__notify_snooze(struct api_call *c);
/* meta_routes.c */
unsigned api__meta_entity_create(struct api_call *c);
unsigned api__meta_field_create(struct api_call *c);
unsigned api__meta_field_update(struct api_call *c);
unsigned api__meta_field_delete(struct api_call *c);

#endif
