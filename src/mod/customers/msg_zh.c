/* The customers module's messages in Simplified Chinese (core/msg.h). */
#include "core/common.h"

#include "mod/customers/customers.h"

static const struct msg MESSAGES[] = {
    {"the demo needs its people", "演示数据需要先有人员"},
};
const struct msg_catalog customers__messages = {MESSAGES, RP_NELEM(MESSAGES)};
