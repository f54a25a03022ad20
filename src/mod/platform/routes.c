/* The platform module's routes: a user's own profile and password, and moving a
 * departing user's records to a colleague. */
#include "core/common.h"

#include "api/route.h"
#include "mod/platform/platform.h"

unsigned platform__patch_me(struct api_call *c)
{
    struct http_req *req = c->req;
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    /* current_password and keep_tokens are options of the change, not fields. */
    json_t *cur = json_object_get(root, "current_password");
    json_t *keep = json_object_get(root, "keep_tokens");
    if (keep && !json_is_boolean(keep))
        return api_fail(c, rec_field_error(&c->ctx, "keep_tokens", "must be true or false"));
    struct rec_input *all, *in;
    size_t nall, n = 0;
    api_inputs(c, root, &all, &nall);
    in = arena_calloc(&req->a, nall + 1, sizeof(*in));
    for (size_t i = 0; i < nall; i++)
        if (!rp_str_eqc(all[i].field, "current_password") &&
            !rp_str_eqc(all[i].field, "keep_tokens"))
            in[n++] = all[i];
    struct rp_str current = {"", 0};
    if (json_is_string(cur))
        current = (struct rp_str){json_string_value(cur), json_string_length(cur)};
    struct rec r;
    enum rp_err err =
        platform_update_me(&c->ctx, in, n, current, json_is_string(cur), json_is_true(keep), &r);
    return err ? api_fail(c, err) : api_record(c, 200, &r);
}

unsigned platform__post_transfer(struct api_call *c)
{
    struct http_req *req = c->req;
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    json_t *to = json_object_get(root, "to_user_id");
    if (!json_is_string(to)) {
        rec_field_error(&c->ctx, "to_user_id", "is required");
        return api_fail(c, RP_EINVAL);
    }
    int64_t moved;
    enum rp_err err = rec_transfer_owner(&c->ctx, req->params[0],
                                         rp_str_c(json_string_value(to)), &moved);
    if (err)
        return api_fail(c, err);
    json_t *out = json_object();
    json_object_set_new(out, "moved", json_integer(moved));
    return api_json(c, 200, out);
}
