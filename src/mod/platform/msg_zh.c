/* The platform module's messages in Simplified Chinese (core/msg.h). */
#include "core/common.h"

#include "mod/platform/platform.h"

static const struct msg MESSAGES[] = {
    {"use lower-case letters, digits and . _ - @ only", "只能使用小写字母、数字和 . _ - @"},
    {"must be at least 2 characters", "至少需要 2 个字符"},
    {"only administrators give an administrator's role", "只有管理员才能授予管理员角色"},
    {"you cannot deactivate yourself", "您不能停用自己"},
    {"you cannot remove your own admin role", "您不能取消自己的管理员角色"},
    {"cannot be changed here", "不能在这里修改"},
    {"an API token cannot change the password: sign in with it",
     "API 令牌不能修改密码：请用密码登录后修改"},
    {"is required to set a new password", "设置新密码时必须填写"},
    {"is wrong", "不正确"},
    {"the admin role always administers the system", "admin 角色始终负责管理系统"},
    {"only administrators make a role administer", "只有管理员才能让一个角色拥有管理权限"},
    {"the admin role cannot be deleted", "admin 角色不能删除"},
    {"the role is in use by %lld user(s): give them another role first",
     "有 %lld 个用户正在使用此角色：请先给他们换一个角色"},
};
const struct msg_catalog platform__messages = {MESSAGES, RP_NELEM(MESSAGES)};
