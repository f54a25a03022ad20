/* Settings an administrator changes while the servers run (GET/PATCH /api/v1/settings):
 * a fixed list of whole numbers with defaults and bounds, kept in the settings table
 * and read where they are used, so every server follows a change at once. */
#ifndef RP_ENGINE_SETTINGS_H
#define RP_ENGINE_SETTINGS_H

#include "engine/rec.h"

struct setting_def {
    const char *key;
    int64_t def, min, max;
    const char *help;
};

/* Every setting, in order. */
const struct setting_def *settings_defs(size_t *n);
/* A setting's value: the one set, or its default. */
enum rp_err settings_get(struct rec_ctx *ctx, const char *key, int64_t *out);
/* Every setting's value, in settings_defs order (out holds n); administrators only. */
enum rp_err settings_all(struct rec_ctx *ctx, int64_t *out);
/* Sets settings from inputs (numbers; null restores the default), administrators
 * only; each change is in the security log. Unknown keys and values out of bounds are
 * field errors and change nothing. */
enum rp_err settings_update(struct rec_ctx *ctx, const struct rec_input *in, size_t n);

#endif
