/* The IMAP client of the mailbox reader (imap.c): one libcurl handle per reading. */
#ifndef RP_MOD_MAIL_IMAP_H
#define RP_MOD_MAIL_IMAP_H

#include "mod/mail/inbox.h"

struct imap_conf {
    const char *host;
    int64_t port;
    enum mail_security security;
    const char *user, *password;
    const char *folder;        /* imap_folder_valid */
    int64_t timeout_s;
};

/* Why a reading failed, as the mailbox's last_error says it. */
enum imap_fail { IMAP_OK, IMAP_LOGIN, IMAP_UNREACHABLE, IMAP_TIMEOUT, IMAP_TLS, IMAP_FOLDER,
                 IMAP_PROTOCOL };

/* The name of a reading's failure as the mailbox's last_error keeps it (NULL: none). */
const char *mail__fail_name(enum imap_fail f);

struct imap {
    void *h;                   /* CURL * */
    struct imap_conf conf;
    char base[400];            /* "imap://host:port/" */
    char folder_url[1100];     /* base and the folder, percent-encoded */
    struct rp_buf answer;      /* the untagged lines of the last command */
    enum imap_fail fail;       /* after an error */
    char err[256];             /* libcurl's words for it (CURL_ERROR_SIZE) */
};

struct imap_item {
    uint32_t uid;
    size_t size;               /* RFC822.SIZE */
    bool seen;                 /* \Seen before this reading */
};

/* Whether s may name a folder: printable ASCII without quote or backslash. */
bool imap_folder_valid(const char *s, size_t len);
enum rp_err imap_open(struct imap *m, const struct imap_conf *c);
void imap_close(struct imap *m);
/* The folder's UIDVALIDITY and UIDNEXT, read-only (EXAMINE). */
enum rp_err imap_examine(struct imap *m, uint32_t *uidvalidity, uint32_t *uidnext);
/* The messages with UIDs from..to: UID, size and whether seen (arena memory). */
enum rp_err imap_range(struct imap *m, uint32_t from, uint32_t to, struct arena *a,
                       struct imap_item **items, size_t *n);
/* Message uid into out (its header alone when header_only); RP_ETOOBIG past out's
 * maximum, RP_EIO when the server failed or UIDVALIDITY changed. */
enum rp_err imap_fetch(struct imap *m, uint32_t uidvalidity, uint32_t uid, bool header_only,
                       struct rp_buf *out);
/* Takes \Seen back from messages (fetching a body sets it; a CRM reading a mailbox
 * must not mark its owner's mail read). */
enum rp_err imap_unsee(struct imap *m, const uint32_t *uids, size_t n);

#endif
