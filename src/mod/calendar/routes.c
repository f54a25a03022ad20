/* The calendar module's routes: activities of people in a range, and the iCalendar
 * feed that calendar programs subscribe to with an API token. */
#include "core/common.h"

#include "api/route.h"
#include "engine/auth.h"
#include "mod/calendar/calendar.h"

unsigned calendar__get_range(struct api_call *c)
{
    struct http_req *req = c->req;
    struct rp_str from = {NULL, 0}, to = {NULL, 0}, users = {NULL, 0};
    for (size_t i = 0; i < req->nquery; i++) {
        if (rp_str_eqc(req->query[i].key, "from"))
            from = req->query[i].value;
        else if (rp_str_eqc(req->query[i].key, "to"))
            to = req->query[i].value;
        else if (rp_str_eqc(req->query[i].key, "user_ids"))
            users = req->query[i].value;
    }
    if (!from.p || !to.p)
        return api_problem(c, 400, "give the range as ?from=…&to=…");
    struct rp_str ids[CALENDAR_MAX_USERS + 1];
    size_t nids = 0;
    for (size_t i = 0; users.p && i <= users.len;) {
        size_t j = i;
        while (j < users.len && users.p[j] != ',')
            j++;
        if (j > i && nids <= CALENDAR_MAX_USERS)
            ids[nids++] = (struct rp_str){users.p + i, j - i};
        i = j + 1;
    }
    struct rec *rows;
    size_t n;
    enum rp_err err = calendar_range(&c->ctx, from, to, ids, nids, &rows, &n);
    if (err)
        return api_fail(c, err);
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    err = buf_adds(&b, "{\"data\":");
    if (!err)
        err = api_write_records(&b, &req->a, rows, n);
    if (!err)
        err = buf_addc(&b, '}');
    return api_text(c, 200, &b, err);
}

unsigned calendar__get_feed(struct api_call *c)
{
    struct http_req *req = c->req;
    const char *token = NULL;
    for (size_t i = 0; i < req->nquery; i++)
        if (rp_str_eqc(req->query[i].key, "token"))
            token = arena_strndup(&req->a, req->query[i].value.p, req->query[i].value.len);
    enum rp_err err = token ? auth_token(c->ctx.conn, &req->a, rp_str_c(token), c->who) : RP_EAUTH;
    struct exp *x = NULL;
    if (!err) {
        c->ctx.who = c->who;
        err = calendar_feed(&c->ctx, &x);
    }
    if (err) {
        rec_fail(&c->ctx, err, "give an API token as ?token=");
        return api_fail(c, err);
    }
    return api_export(c, x, &calendar__ical, "calendar");
}
