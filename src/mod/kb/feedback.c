/* Feedback on articles: whether an article helped its reader, one vote per reader and
 * article (a second replaces the first), kept as records owned by the reader so that
 * authors can read the comments; the article's counts follow every vote. */
#include "core/common.h"

#include "engine/acl.h"
#include "mod/kb/kb.h"

static const struct field_def FIELDS[] = {
    /* What the vote is about, as people read it: the article's title when the vote was
     * cast (a vote without a comment has no other name). */
    {.name = "article_title", .label = "Article title", .label_zh = "文章标题", .type = FT_STRING,
     .flags = FF_READONLY | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "article_id", .label = "Article", .label_zh = "文章", .type = FT_REF,
     .ref_entity = "kb_articles", .flags = FF_REQUIRED | FF_INDEXED | FF_LIST | FF_CREATE_ONLY,
     .group = "overview"},
    {.name = "helpful", .label = "Helpful", .label_zh = "有帮助", .type = FT_BOOL,
     .flags = FF_REQUIRED | FF_LIST, .group = "overview"},
    {.name = "comment", .label = "Comment", .label_zh = "意见", .type = FT_STRING,
     .flags = FF_SEARCH | FF_LIST, .maxlen = 500, .group = "overview"},
};

const struct entity_def kb__feedback = {
    .name = "kb_feedback",
    .label = "Article feedback",
    .label_plural = "Article feedback",
    .label_zh = "文章反馈",
    .label_plural_zh = "文章反馈",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "article_title",
    .default_sort = "-created_at",
    .flags = EF_NO_DELETE | EF_OWN_SCREEN,
};

enum rp_err kb__validate_feedback(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    const struct rec_value *a = rec_field(r, "article_id");
    if (a->null)
        return RP_OK; /* required: the engine says so */
    const char *article = arena_strndup(ctx->a, a->s, a->len);
    bool owner_moved = old && r->owner_id && old->owner_id &&
                       strcmp(r->owner_id, old->owner_id) != 0;
    if (!old) {
        /* Only on an article the voter reads. */
        const struct entity_def *e = meta_need("kb_articles");
        struct rec art;
        enum rp_err err = rec_get(ctx, e, rp_str_c(article), &art);
        if (err == RP_ENOTFOUND)
            return rec_field_error(ctx, "article_id", "no %s with this id", rec_label(ctx, e));
        if (err)
            return err;
        struct rec_value *title = (struct rec_value *)(uintptr_t)rec_field(r, "article_title");
        *title = *rec_field(&art, "title");
    }
    if (old && !owner_moved)
        return RP_OK;
    /* Writers run one at a time (store/db.h), so the look-up holds until the insert. */
    struct rec mine;
    bool found;
    const char *saved = rec_system_begin(ctx, "one vote per reader");
    enum rp_err err = kb__sql_feedback_of(ctx, article, r->owner_id ? r->owner_id : "", &mine,
                                          &found);
    rec_system_end(ctx, saved);
    if (!err && found && (!r->id || strcmp(mine.id, r->id) != 0))
        err = rec_fail(ctx, RP_ECONFLICT,
                       "this reader has given feedback on the article already: change it "
                       "instead");
    return err;
}

enum rp_err kb__feedback_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    (void)old;
    const struct rec_value *a = rec_field(r, "article_id");
    return kb__sql_recount(ctx, arena_strndup(ctx->a, a->s, a->len));
}

enum rp_err kb_vote(struct rec_ctx *ctx, struct rp_str id, bool helpful, struct rec *article)
{
    if (!ctx->who)
        return RP_EFORBIDDEN;
    const struct entity_def *e = meta_need("kb_articles"), *fb = meta_need("kb_feedback");
    enum rp_err err = rec_tx_begin(ctx);
    struct rec art, mine, saved;
    bool found = false;
    if (!err)
        err = rec_get(ctx, e, id, &art);
    if (!err)
        err = kb__sql_feedback_of(ctx, art.id, ctx->who->user_id, &mine, &found);
    if (!err) {
        struct rec_input in[] = {rec_in_text("article_id", art.id),
                                 {.field = RP_STR("helpful"), .kind = IN_BOOL, .b = helpful}};
        err = found ? rec_update(ctx, fb, rp_str_c(mine.id), in + 1, 1, -1, &saved)
                    : rec_create(ctx, fb, in, RP_NELEM(in), &saved);
    }
    if (!err)
        err = rec_get(ctx, e, id, article);
    return rec_tx_end(ctx, err);
}
