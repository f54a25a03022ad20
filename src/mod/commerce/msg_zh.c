/* Products and quotes: the module's messages in Simplified Chinese (core/msg.h). */
#include "core/common.h"

#include "mod/commerce/commerce.h"

static const struct msg MESSAGES[] = {
    {"Item", "项目"},
};
const struct msg_catalog cm__messages = {MESSAGES, RP_NELEM(MESSAGES)};
