/* The customers module (MISSION 1 and 2): accounts — customers, partners, suppliers,
 * banks — and the people at them, contacts. */
#ifndef RP_MOD_CUSTOMERS_H
#define RP_MOD_CUSTOMERS_H

#include "engine/module.h"

extern const struct entity_def customers__accounts;
extern const struct entity_def customers__contacts;

extern const struct rp_module mod_customers;

/* ---- inside the module ---- */

/* The vCard format of contacts' exports (vcard.c). */
extern const struct rec_exporter customers__vcard;
enum rp_err customers__demo(struct rp_demo *d);

/* The module's messages in Chinese (msg_zh.c). */
extern const struct msg_catalog customers__messages;

#endif
