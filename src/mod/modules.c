/* The registry: the one list of modules (engine/module.h). A module joins the CRM
 * with one line here; its order is the order hooks and bootstraps run in, so a module
 * comes after the modules whose entities it uses. */
#include "core/common.h"

#include "engine/module.h"

#define RP_MODULES(X)                                                                      \
    X(platform)                                                                            \
    X(customers)                                                                           \
    X(sales)                                                                               \
    X(calendar)                                                                            \
    X(kb)                                                                                  \
    X(service)                                                                             \
    X(commerce)                                                                            \
    X(dav)                                                                                 \
    X(mail)                                                                                \
    X(automation)

#define DECLARE(name) extern const struct rp_module mod_##name;
RP_MODULES(DECLARE)

#define ENTRY(name) &mod_##name,
const struct rp_module *const rp_modules[] = {RP_MODULES(ENTRY)};
const size_t rp_nmodules = RP_NELEM(rp_modules);
