/* Notifications (engine/notify.h): the centre's list, marking read, snoozing,
 * preferences, and the event stream (Server-Sent Events) each open browser listens
 * on. The engine's watcher thread calls api_notify_news for every recipient of a
 * notification committed by any server; the streams of that user are woken and read
 * their new rows from the database, from the last event id they sent. */
#include "core/common.h"

#include <pthread.h>

#include "api/api_int.h"
#include "api/handlers.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/auth.h"
#include "engine/notify.h"
#include "store/notify.h"

static json_t *notification_json(struct arena *a, enum rp_lang lang,
                                 const struct store_notification *n)
{
    bool late = notify_late(n->due_at, n->created_at);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(n->id));
    json_object_set_new(o, "kind", json_string(n->kind));
    json_object_set_new(o, "entity", json_string(n->entity));
    json_object_set_new(o, "record_id", json_string(n->record_id));
    json_object_set_new(o, "title", json_string(n->title));
    json_object_set_new(o, "text", json_string(notify_line(a, lang, n->kind, n->title, n->actor_name, n->due_at, late)));
    json_object_set_new(o, "actor_id", api_str_or_null(n->actor_id));
    json_object_set_new(o, "actor_name", api_str_or_null(n->actor_name));
    json_object_set_new(o, "created_at", json_string(n->created_at));
    json_object_set_new(o, "due_at", api_str_or_null(n->due_at));
    json_object_set_new(o, "late", json_boolean(late));
    json_object_set_new(o, "read_at", api_str_or_null(n->read_at));
    json_object_set_new(o, "snoozed_until", api_str_or_null(n->snooze_until));
    return o;
}

unsigned api__notify_list(struct api_call *c)
{
    struct rp_str lim = api_query(c, "limit");
    int64_t limit = NOTIFY_PAGE_DEFAULT;
    if (lim.p && (text_parse_i64(lim, &limit) || limit < 1 || limit > NOTIFY_PAGE_MAX))
        return api_problemf(c, 400, "limit must be a whole number from 1 to %d",
                            NOTIFY_PAGE_MAX);
    struct store_notification *rows;
    size_t n;
    const char *next;
    int64_t unread;
    enum rp_err err = notify_list(&c->ctx, api_query(c, "cursor"), (size_t)limit, &rows, &n,
                                  &next, &unread);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(data, notification_json(c->ctx.a, c->ctx.lang, &rows[i]));
    json_t *o = json_object();
    json_object_set_new(o, "data", data);
    json_object_set_new(o, "next_cursor", api_str_or_null(next));
    json_object_set_new(o, "unread", json_integer(unread));
    return api_json(c, 200, o);
}

unsigned api__notify_read(struct api_call *c)
{
    struct store_notification n;
    enum rp_err err = notify_read(&c->ctx, c->req->params[0], &n);
    if (err)
        return api_fail(c, err);
    return api_json(c, 200, notification_json(c->ctx.a, c->ctx.lang, &n));
}

unsigned api__notify_read_all(struct api_call *c)
{
    int64_t n;
    enum rp_err err = notify_read_all(&c->ctx, &n);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "updated", json_integer(n));
    json_object_set_new(o, "unread", json_integer(0));
    return api_json(c, 200, o);
}

unsigned api__notify_snooze(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    static const char *const KEYS[] = {"minutes", NULL};
    api_only_keys(c, root, KEYS, MSG("is not a snooze option"));
    json_t *m = json_object_get(root, "minutes");
    if (!json_is_integer(m))
        rec_field_error(&c->ctx, "minutes", "must be a whole number from 1 to %d",
                        NOTIFY_SNOOZE_MAX_MIN);
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    struct store_notification n;
    enum rp_err err = notify_snooze(&c->ctx, c->req->params[0], json_integer_value(m), &n);
    if (err)
        return api_fail(c, err);
    return api_json(c, 200, notification_json(c->ctx.a, c->ctx.lang, &n));
}

static unsigned prefs_answer(struct api_call *c)
{
    size_t nk;
    const struct notify_kind *k = notify_kinds(&nk);
    enum notify_channel ch[16];
    RP_ASSERT(nk <= RP_NELEM(ch));
    enum rp_err err = notify_prefs(&c->ctx, ch);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < nk; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(k[i].name));
        json_object_set_new(o, "channel", json_string(notify_channel_name(ch[i])));
        json_object_set_new(o, "default", json_string(notify_channel_name(k[i].def)));
        json_array_append_new(data, o);
    }
    return api_data(c, data);
}

unsigned api__notify_prefs(struct api_call *c)
{
    return prefs_answer(c);
}

unsigned api__notify_prefs_set(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    size_t n = json_object_size(root), i = 0;
    struct rp_str *kinds = arena_calloc(c->ctx.a, n ? n : 1, sizeof(*kinds));
    enum notify_channel *chans = arena_calloc(c->ctx.a, n ? n : 1, sizeof(*chans));
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        kinds[i] = rp_str_c(key);
        if (!json_is_string(v) || !notify_channel_parse(rp_str_c(json_string_value(v)), &chans[i]))
            rec_field_error(&c->ctx, key, "must be in_app, email, both or off");
        i++;
    }
    enum rp_err err = c->ctx.nerrors ? RP_EINVAL : notify_prefs_set(&c->ctx, kinds, chans, n);
    if (err)
        return api_fail(c, err);
    return prefs_answer(c);
}

/* ---- the event stream ---- */

/* Rows sent per fill; more follow at once in the next. */
#define STREAM_BATCH 20

struct stream {
    struct api_app *app;
    char user_id[RP_ID_LEN + 1];
    enum rp_lang lang;
    int64_t after;              /* the last event id sent */
    struct http_waker *waker;   /* under lock; NULL until the response is set */
    bool news, beat, hello;     /* under lock: what to send at the next fill */
    struct rp_buf out;          /* bytes produced, not yet handed out */
    size_t off;
    struct stream *prev, *next; /* under lock */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream *streams;
static size_t nstreams;

void api_notify_news(void *cls, const char *user_id)
{
    (void)cls;
    pthread_mutex_lock(&lock);
    for (struct stream *s = streams; s; s = s->next)
        if (strcmp(s->user_id, user_id) == 0) {
            s->news = true;
            if (s->waker)
                http_stream_wake(s->waker);
        }
    pthread_mutex_unlock(&lock);
}

void api_notify_beat(void *cls)
{
    (void)cls;
    pthread_mutex_lock(&lock);
    for (struct stream *s = streams; s; s = s->next) {
        s->beat = true;
        if (s->waker)
            http_stream_wake(s->waker);
    }
    pthread_mutex_unlock(&lock);
}

/* Appends the events of the user's notifications after s->after and the unread
 * count; *more when a full batch was read. */
static enum rp_err add_news(struct stream *s, bool *more)
{
    struct store_conn *conn;
    struct arena a;
    arena_init(&a);
    struct principal who;
    struct store_notification *rows = NULL;
    size_t n = 0;
    int64_t unread = 0, last = s->after;
    *more = false;
    enum rp_err err = store_conn_get(s->app->store, &conn);
    if (!err) {
        struct rec_ctx ctx;
        rec_ctx_init(&ctx, s->app->store, conn, &a, NULL);
        err = auth_user(&ctx, s->user_id, &who);
        ctx.who = &who;
        if (!err)
            err = notify_since(&ctx, s->after, STREAM_BATCH, &rows, &n, &last, more, &unread);
    }
    for (size_t i = 0; i < n && !err; i++) {
        json_t *o = notification_json(&a, s->lang, &rows[i]);
        json_object_set_new(o, "unread", json_integer(unread));
        err = buf_printf(&s->out, "id: %lld\nevent: notification\ndata: ", (long long)rows[i].seq);
        if (!err)
            err = api__dump(&s->out, o);
        if (!err)
            err = buf_adds(&s->out, "\n\n");
        json_decref(o);
    }
    if (!err)
        s->after = last;
    if (!err)
        err = buf_printf(&s->out, "event: unread\ndata: {\"unread\":%lld}\n\n", (long long)unread);
    arena_release(&a);
    return err;
}

static long stream_fill(void *cls, char *buf, size_t max)
{
    struct stream *s = cls;
    if (s->off == s->out.len) {
        buf_reset(&s->out);
        s->off = 0;
        pthread_mutex_lock(&lock);
        bool news = s->news || s->hello, beat = s->beat, hello = s->hello;
        s->news = s->beat = s->hello = false;
        pthread_mutex_unlock(&lock);
        enum rp_err err = RP_OK;
        if (hello)
            err = buf_adds(&s->out, "retry: 3000\n\n");
        bool more = false;
        if (!err && news)
            err = add_news(s, &more);
        if (!err && beat)
            err = buf_adds(&s->out, ": ping\n\n");
        if (err)
            return -1; /* the browser reconnects with Last-Event-ID */
        if (more) {
            pthread_mutex_lock(&lock);
            s->news = true;
            pthread_mutex_unlock(&lock);
        }
        if (!s->out.len)
            return HTTP_STREAM_WAIT;
    }
    size_t n = s->out.len - s->off < max ? s->out.len - s->off : max;
    memcpy(buf, buf_cstr(&s->out) + s->off, n);
    s->off += n;
    return (long)n;
}

static void stream_done(void *cls)
{
    struct stream *s = cls;
    pthread_mutex_lock(&lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    nstreams--;
    pthread_mutex_unlock(&lock);
    buf_release(&s->out);
    free(s);
}

unsigned api__notify_stream(struct api_call *c)
{
    struct http_req *req = c->req;
    const char *last = http_header(req, "Last-Event-ID");
    int64_t after = 0;
    if (last && (text_parse_i64(rp_str_c(last), &after) || after < 0))
        return api_problem(c, 400, "Last-Event-ID must be an event id this stream sent");
    enum rp_err err = last ? RP_OK : store_notify_max_seq(c->ctx.conn, &after);
    if (err)
        return api_fail(c, err);
    pthread_mutex_lock(&lock);
    size_t mine = 0;
    for (struct stream *s = streams; s; s = s->next)
        mine += strcmp(s->user_id, c->who->user_id) == 0;
    if (nstreams >= RP_MAX_EVENT_STREAMS || mine >= RP_MAX_EVENT_STREAMS_PER_USER) {
        pthread_mutex_unlock(&lock);
        return api_problem(c, 429, "too many notification streams are open");
    }
    struct stream *s = calloc(1, sizeof(*s));
    RP_ASSERT(s);
    s->app = c->app;
    snprintf(s->user_id, sizeof(s->user_id), "%s", c->who->user_id);
    s->lang = c->ctx.lang;
    s->after = after;
    s->hello = true;
    buf_init(&s->out, RP_MAX_RESPONSE);
    s->next = streams;
    if (streams)
        streams->prev = s;
    streams = s;
    nstreams++;
    pthread_mutex_unlock(&lock);
    struct http_waker *w;
    http_add_header(req, "X-Accel-Buffering", "no");
    http_respond_events(req, 200, "text/event-stream; charset=utf-8",
                        &(struct http_stream){stream_fill, stream_done, s}, &w);
    if (!w)
        return 503; /* answered, and s is gone */
    pthread_mutex_lock(&lock);
    s->waker = w;
    pthread_mutex_unlock(&lock);
    return 200;
}
