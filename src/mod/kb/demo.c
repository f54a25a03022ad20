/* The knowledge base's demo data: a tree of categories and twenty articles, each in
 * English and in Chinese (the Chinese linked as its translation), mostly published,
 * a few drafts and one archived, some public; owned by the first administrator. */
#include "core/common.h"

#include "mod/kb/kb.h"

static const struct {
    const char *name, *name_zh;
    int parent; /* index of the parent category, -1: a top one */
} CATEGORIES[] = {
    {"Getting started", "入门", -1},     {"Accounts and sign-in", "账户与登录", 0},
    {"Hardware", "硬件", -1},            {"Printers", "打印机", 2},
    {"Network", "网络", -1},             {"Billing", "账单", -1},
    {"Orders and delivery", "订单与配送", -1},
};

static const struct {
    int category;
    const char *status, *visibility;
    const char *title, *title_zh, *tags;
    const char *body, *body_zh;
} ARTICLES[] = {
    {1, "published", "public", "Reset a forgotten password", "重置忘记的密码", "password, sign-in",
     "1. Open the sign-in page and choose **Forgot password**.\n2. Enter the e-mail address of "
     "the account.\n3. Follow the link in the e-mail within 30 minutes.\n\nStill stuck? "
     "Write to [support](mailto:support@example.com).",
     "1. 打开登录页面，选择**忘记密码**。\n2. 输入账户的电子邮件地址。\n3. 在 30 分钟内点击邮件中的"
     "链接。\n\n仍然无法登录？请联系[客服](mailto:support@example.com)。"},
    {1, "published", "public", "Two-factor sign-in codes do not arrive", "收不到双重验证码",
     "2fa, sms",
     "Check that the phone's clock is set automatically; codes are valid for 30 seconds. "
     "If text messages are late, use the authenticator app instead.",
     "请确认手机时间为自动设置；验证码有效期为 30 秒。如果短信延迟，请改用身份验证器应用。"},
    {0, "published", "public", "First steps with your new account", "新账户入门", "onboarding",
     "## Welcome\n\nSet up your profile, invite your colleagues and choose your language under "
     "*Settings*.",
     "## 欢迎\n\n在*设置*中完善个人资料、邀请同事并选择语言。"},
    {0, "published", "internal", "How to log a support case", "如何登记服务请求", "cases",
     "Every call gets a case: the customer, a subject and the priority are enough to start. "
     "Add the resolution before closing it.",
     "每个来电都要登记服务请求：客户、主题和优先级即可开始。关闭前请填写解决方案。"},
    {3, "published", "public", "Printer shows offline", "打印机显示脱机", "printer, offline",
     "1. Turn the printer off and on.\n2. Check the network cable or the Wi-Fi light.\n3. "
     "Remove the printer from the computer and add it again.",
     "1. 关闭打印机再重新打开。\n2. 检查网线或 Wi-Fi 指示灯。\n3. 在电脑上删除打印机后重新添加。"},
    {3, "published", "public", "Paper jam in tray 2", "纸盒 2 卡纸", "printer, paper",
     "Open the front door, pull the jammed sheet out **slowly** with both hands, and close the "
     "door. Use paper of 70-90 g/m².",
     "打开前盖，用双手**缓慢**拉出卡住的纸张，然后关上前盖。请使用 70-90 克的纸张。"},
    {3, "published", "internal", "Printer toner replacement", "更换打印机墨粉", "printer, toner",
     "Order toner with the printer's model number; the customer's agreement says whether it "
     "is free.",
     "按打印机型号订购墨粉；客户的服务协议决定是否免费。"},
    {3, "draft", "internal", "Printing is slow over VPN", "通过 VPN 打印很慢", "printer, vpn",
     "Large PDF files are sent whole: print from the office network when possible.",
     "大型 PDF 文件会整体发送：请尽量在办公网络中打印。"},
    {2, "published", "public", "Laptop does not start", "笔记本电脑无法开机", "laptop, power",
     "Hold the power button for 15 seconds, connect the charger and wait ten minutes before "
     "trying again.",
     "按住电源键 15 秒，接上充电器，等待十分钟后再试。"},
    {2, "published", "public", "Screen flickers", "屏幕闪烁", "screen, display",
     "Update the graphics driver and set the refresh rate to 60 Hz.",
     "更新显卡驱动程序，并将刷新率设为 60 赫兹。"},
    {2, "archived", "internal", "Old model X100 warranty", "旧型号 X100 保修", "warranty",
     "The X100 is out of warranty since 2020; offer the trade-in programme.",
     "X100 自 2020 年起已过保修期；请推荐以旧换新计划。"},
    {4, "published", "public", "Wi-Fi connection drops", "Wi-Fi 连接经常断开", "wifi, network",
     "Move closer to the router, forget the network and connect again, then update the "
     "router's firmware.",
     "靠近路由器，忘记该网络后重新连接，然后更新路由器固件。"},
    {4, "published", "internal", "VPN cannot connect", "VPN 无法连接", "vpn, network",
     "Check the date and time, then the certificate's expiry date. Error 809 means the "
     "firewall blocks the port.",
     "检查日期和时间，再检查证书有效期。错误 809 表示防火墙阻止了端口。"},
    {4, "published", "public", "Slow internet in the office", "办公室网速慢", "network, speed",
     "Run a speed test by cable and by Wi-Fi; if only Wi-Fi is slow, change the channel.",
     "分别用网线和 Wi-Fi 测速；如果只有 Wi-Fi 慢，请更换信道。"},
    {5, "published", "public", "Understanding your invoice", "看懂您的发票", "invoice, billing",
     "Each invoice lists the period, the products and the taxes. Payment is due within 30 "
     "days.",
     "每张发票列出计费期间、产品和税费。付款期限为 30 天。"},
    {5, "published", "internal", "Issue a credit note", "开具贷项通知单", "billing, refund",
     "Credit notes need a manager's approval above 5,000. Link the original invoice.",
     "超过 5,000 的贷项通知单需要经理批准。请关联原发票。"},
    {5, "draft", "internal", "Change the payment method", "更改付款方式", "billing, payment",
     "Customers change the payment method in the portal; we never take card numbers by phone.",
     "客户在门户中更改付款方式；我们绝不通过电话记录银行卡号。"},
    {6, "published", "public", "Track your order", "查询订单物流", "order, delivery",
     "Use the tracking number in the shipping e-mail on the carrier's site.",
     "使用发货邮件中的运单号在承运商网站上查询。"},
    {6, "published", "public", "Return a damaged product", "退回损坏的商品", "return, order",
     "Take photos of the box and the product, then open a case within 7 days of delivery.",
     "拍下包装和商品的照片，并在收货后 7 天内提交服务请求。"},
    {6, "published", "internal", "Delivery delayed by customs", "海关导致配送延迟",
     "delivery, customs",
     "Customs clearance takes 3-5 working days; tell the customer the new date and note it in "
     "the case.",
     "清关需要 3-5 个工作日；请告知客户新的日期，并记录在服务请求中。"},
};

/* The first administrator: the demo's articles are theirs. */
static enum rp_err first_admin(struct rec_ctx *ctx, const char **id)
{
    struct rec_param p[] = {{RP_STR("sort"), RP_STR("created_at")},
                            {RP_STR("limit"), RP_STR("1")},
                            {RP_STR("role"), RP_STR("admin")}};
    const struct entity_def *users = meta_need("users");
    struct rec_query *q;
    struct rec_page page;
    enum rp_err err = rec_query_parse(ctx, users, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(ctx, users, q, &page);
    *id = !err && page.nrows ? page.rows[0].id : NULL;
    return err;
}

static enum rp_err article(struct rec_ctx *ctx, size_t i, bool zh, const char *category,
                           const char *owner, const char *original, struct rec *out)
{
    struct rec_input in[9] = {
        rec_in_text("title", zh ? ARTICLES[i].title_zh : ARTICLES[i].title),
        rec_in_text("body", zh ? ARTICLES[i].body_zh : ARTICLES[i].body),
        rec_in_text("status", ARTICLES[i].status),
        rec_in_text("visibility", ARTICLES[i].visibility),
        rec_in_text("language", zh ? "zh-CN" : "en"),
        rec_in_text("tags", ARTICLES[i].tags),
        rec_in_text("category_id", category)};
    size_t n = 7;
    if (owner)
        in[n++] = rec_in_text("owner_id", owner);
    if (original)
        in[n++] = rec_in_text("translation_of", original);
    return rec_create(ctx, meta_need("kb_articles"), in, n, out);
}

enum rp_err kb__demo(struct rp_demo *d)
{
    struct rec_ctx *ctx = d->ctx;
    const char *owner, *cats[RP_NELEM(CATEGORIES)];
    enum rp_err err = first_admin(ctx, &owner);
    for (size_t i = 0; !err && i < RP_NELEM(CATEGORIES); i++) {
        struct rec_input in[4] = {rec_in_text("name", CATEGORIES[i].name),
                                  rec_in_text("name_zh", CATEGORIES[i].name_zh)};
        size_t n = 2;
        if (CATEGORIES[i].parent >= 0)
            in[n++] = rec_in_text("parent_id", cats[CATEGORIES[i].parent]);
        if (owner)
            in[n++] = rec_in_text("owner_id", owner);
        struct rec c;
        err = rec_create(ctx, meta_need("kb_categories"), in, n, &c);
        cats[i] = err ? NULL : c.id;
    }
    for (size_t i = 0; !err && i < RP_NELEM(ARTICLES); i++) {
        struct rec en, zh;
        const char *cat = cats[ARTICLES[i].category];
        err = article(ctx, i, false, cat, owner, NULL, &en);
        if (!err)
            err = article(ctx, i, true, cat, owner, en.id, &zh);
    }
    if (!err)
        d->notes[d->nnotes++] = "knowledge base: 40 articles in English and Chinese";
    return err;
}
