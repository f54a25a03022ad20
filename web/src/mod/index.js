// The UI's modules — platform, customers, sales, calendar, kb, service, dav, mail,
// commerce, automation, as on the server (src/mod/), and notify, the engine's
// notification centre — in ONE registry. main.jsx builds its routes and the navigation
// from SCREENS, the record page shows the RECORD_PANELS, administration the ADMIN_TABS,
// and i18n.js takes each module's STRINGS.
// Lists, forms and record pages of entities are generic (from /meta) and need no line.
//
// Adding a module's screens: add a directory web/src/mod/<module>/ with its screens
// (and, if it has strings, an i18n.js exporting {en: {...}, zh: {...}}), then one line
// here per screen or record panel (and one in STRINGS). Strings only a lazily loaded
// screen uses may travel with it instead (platform/admin.jsx adds admin-i18n.js).
//
// A screen: module, path, prefix (true: also matches path/...), nav (the i18n key of its
// navigation entry; none: not in the navigation), when() (who sees it: the entry, and
// the route, which otherwise says "not allowed"), and either component or load (a lazy
// import resolving to the component: its code is fetched on the first visit only).
// A record panel: module, place ('head': under the title; 'side': above the timeline;
// 'reader': beside a record on the screen a module reads it on — the knowledge base's
// article page), when(entity, record), component ({e, record, onSaved}), fields: the
// entity's fields it shows and edits itself, which the generic panels then leave out,
// and related: the related lists it shows itself ('shipments.order_id': the entity and
// its reference to this one), which the record page then leaves out.
// A field editor (FIELD_EDITORS): module, entity, fields it edits itself (the generic
// form leaves them out), group (its place in the form) and component ({values, set,
// errors, record}).
// A global action: module, id, label (i18n key), keys (its keyboard shortcut as people
// read it, 'Alt+Shift+C') and code (KeyboardEvent.code with Alt and Shift held), when()
// (who may), component ({context, onClose}): a form the shell shows over any page, from
// its button in the top bar or the shortcut, or opened by openAction(id, context).
// A top-bar piece (TOP_BAR): module, component (no props), shown on every signed-in page.
// A result action: module, label (i18n key), when(entity) (on which global search
// results), action (the global action it opens) and context(entity, hit) (what it
// opens with).
// A list action: module, label (i18n key), when(entity) (on which lists), component
// ({e, ids, onClose, onDone}): a form shown in a list's selection bar for the records
// selected; onDone clears the selection.
// An administration tab (ADMIN_TABS): module, tab (its path: /admin/<tab>…), label (i18n
// key), when() (who sees it) and load (a lazy import resolving to the component, given
// {sub}: the path's next part, /admin/<tab>/<sub>): shown after the platform's own tabs.
import { addStrings } from '../i18n.js';
import { canRead, entityMeta, isAdmin, session } from '../state.js';
import * as automationStrings from './automation/i18n.js';
import './automation/automation.css'; // with the shell: the tab's code loads lazily
import { RuleRecord, WebhookRecord } from './automation/record.jsx';
import * as calendarStrings from './calendar/i18n.js';
import { CalendarPage } from './calendar/calendar.jsx';
import { RecurrenceEditor, SeriesPanel } from './calendar/recurrence.jsx';
import { InvitationsPanel, invitationsPanelFor } from './calendar/invitations.jsx';
import * as commerceStrings from './commerce/i18n.js';
import { AccountCommerce } from './commerce/account.jsx';
import { ProductConfigure } from './commerce/configure.jsx';
import { ContractTerm } from './commerce/contract.jsx';
import { LinesEditor, OrderLinesEditor } from './commerce/lines.jsx';
import { modelOf } from './commerce/options.js';
import { OrderPanel, OrderShipments } from './commerce/order.jsx';
import { BundleComponents, ComponentsEditor, ProductPrice } from './commerce/product.jsx';
import { QuoteLines, QuotePanel } from './commerce/quote.jsx';
import * as kbStrings from './kb/i18n.js';
import { KnowledgeBase } from './kb/kb.jsx';
import * as customersStrings from './customers/i18n.js';
import * as davStrings from './dav/i18n.js';
import { SyncPage } from './dav/sync.jsx';
import { AccountSummary } from './customers/summary.jsx';
import * as notifyStrings from './notify/i18n.js';
import { NotificationBell, NotificationsPage } from './notify/notify.jsx';
import * as platformStrings from './platform/i18n.js';
import { SharingPanel } from './platform/sharing.jsx';
import { UserActions } from './platform/users.jsx';
import * as salesStrings from './sales/i18n.js';
import { ConvertLead } from './sales/convert.jsx';
import { PipelinePage } from './sales/pipeline.jsx';
import * as mailStrings from './mail/i18n.js';
import { EmailsPanel, mailPanelFor } from './mail/mail.jsx';
import { MailboxPanel, MailboxesPage, ThreadPanel } from './mail/inbox.jsx';
import { MAILING_LINKS, MailingForm } from './mail/mailing.jsx';
import * as serviceStrings from './service/i18n.js';
import { AccountAgreements, AgreementUsage, CaseAgreement } from './service/agreement.jsx';
import { CaseArticles, LinkedCases } from './service/case-articles.jsx';
import { QuickCase, QuickCaseDialog } from './service/quick-case.jsx';
import { CaseSla } from './service/sla.jsx';
import { WorklistPage } from './service/worklist.jsx';

const STRINGS = [platformStrings, customersStrings, salesStrings, calendarStrings, kbStrings, serviceStrings, davStrings, mailStrings, notifyStrings, commerceStrings, automationStrings];
for (const s of STRINGS) addStrings(s);

const reads = (entity) => () => canRead(entityMeta(entity));
const creates = (entity) => () => (entityMeta(entity)?.permissions.create ?? 'none') !== 'none';
// Entities whose deleted records the user may see in the recycle bin.
export const binEntities = () => session.meta.entities.filter((e) => e.deletable && canRead(e));
// Entities the user may import into (the import wizard).
export const importEntities = () => session.meta.entities.filter((e) => e.importable && e.permissions.import !== 'none');
// Entities with duplicate checks the user reads (the duplicates and merge screens).
export const dupEntities = () => session.meta.entities.filter((e) => e.duplicates && canRead(e));

export const SCREENS = [
  { module: 'sales', path: '/pipeline', nav: 'nav.pipeline', when: reads('opportunities'), component: PipelinePage },
  { module: 'calendar', path: '/calendar', nav: 'nav.calendar', when: reads('activities'), component: CalendarPage },
  { module: 'kb', path: '/kb', prefix: true, nav: 'nav.kb', when: reads('kb_articles'), component: KnowledgeBase },
  { module: 'service', path: '/worklist', nav: 'nav.worklist', when: reads('cases'), component: WorklistPage },
  { module: 'service', path: '/service-reports', nav: 'nav.serviceReports', when: reads('cases'), load: () => import('./service/reports.jsx').then((m) => m.ServiceReports) },
  { module: 'mail', path: '/email-templates', nav: 'nav.emailTemplates', when: reads('email_templates'), load: () => import('./mail/screens.jsx').then((m) => m.TemplatesPage) },
  { module: 'mail', path: '/mail-settings', nav: 'nav.mailSettings', when: isAdmin, load: () => import('./mail/screens.jsx').then((m) => m.MailSettings) },
  { module: 'mail', path: '/mailboxes', nav: 'nav.mailboxes', when: reads('mailboxes'), component: MailboxesPage },
  { module: 'platform', path: '/recycle-bin', nav: 'nav.recycle', when: () => binEntities().length > 0, load: () => import('./platform/recycle-bin.jsx').then((m) => m.RecycleBin) },
  { module: 'platform', path: '/admin', prefix: true, nav: 'nav.admin', when: isAdmin, load: () => import('./platform/admin.jsx').then((m) => m.AdminPage) },
  { module: 'platform', path: '/duplicates', when: () => dupEntities().length > 0, load: () => import('./platform/duplicates.jsx').then((m) => m.DuplicatesPage) },
  { module: 'platform', path: '/merge', when: () => dupEntities().length > 0, load: () => import('./platform/duplicates.jsx').then((m) => m.MergePage) },
  { module: 'platform', path: '/import', when: () => importEntities().length > 0, load: () => import('./platform/import.jsx').then((m) => m.ImportPage) },
  { module: 'dav', path: '/calendar-sync', nav: 'nav.davSync', when: () => reads('activities')() || reads('contacts')(), component: SyncPage },
  // Every signed-in user's own settings, reached from their name in the top bar.
  { module: 'platform', path: '/settings', when: () => true, load: () => import('./platform/my-settings.jsx').then((m) => m.MySettings) },
  // Every signed-in user's notifications and how they are told, reached from the bell.
  { module: 'notify', path: '/notifications', when: () => true, component: NotificationsPage },
];

// Pieces a module shows in the top bar of every page, before the user's name.
export const TOP_BAR = [
  { module: 'notify', component: NotificationBell },
];

export const RECORD_PANELS = [
  { module: 'customers', place: 'head', when: (e) => e.name === 'accounts', component: AccountSummary },
  { module: 'sales', place: 'head', when: (e) => e.name === 'leads', component: ConvertLead },
  { module: 'service', place: 'head', when: (e) => e.name === 'accounts', component: QuickCase },
  { module: 'service', place: 'head', when: (e) => e.name === 'cases', component: CaseSla },
  { module: 'service', place: 'head', when: (e) => e.name === 'cases', component: CaseAgreement },
  { module: 'service', place: 'head', when: (e) => e.name === 'service_agreements', component: AgreementUsage },
  { module: 'service', place: 'side', when: (e) => e.name === 'accounts', component: AccountAgreements },
  { module: 'service', place: 'side', when: (e) => e.name === 'cases' && reads('kb_articles')(), component: CaseArticles, fields: ['kb_articles'] },
  { module: 'service', place: 'side', when: (e) => e.name === 'kb_articles' && reads('cases')(), component: LinkedCases },
  { module: 'service', place: 'reader', when: (e) => e.name === 'kb_articles' && reads('cases')(), component: LinkedCases },
  { module: 'platform', place: 'head', when: (e) => e.name === 'users' && isAdmin(), component: UserActions },
  { module: 'mail', place: 'side', when: mailPanelFor, component: EmailsPanel },
  { module: 'mail', place: 'head', when: (e) => e.name === 'mailboxes', component: MailboxPanel,
    fields: ['password_set', 'last_fetch_at', 'messages_logged', 'last_error', 'last_error_detail', 'claimed_by', 'claimed_until'] },
  { module: 'mail', place: 'side', when: (e, r) => e.name === 'emails' && !!r.thread_id, component: ThreadPanel },
  { module: 'platform', place: 'side', when: (e) => e.shareable, component: SharingPanel },
  { module: 'calendar', place: 'head', when: (e, r) => e.name === 'activities' && !!(r.rrule || r.series_id), component: SeriesPanel,
    fields: ['rrule', 'timezone', 'exdates', 'series_id', 'recurrence_id', 'repeat_until'] },
  { module: 'calendar', place: 'side', when: invitationsPanelFor, component: InvitationsPanel, fields: ['invitations'] },
  { module: 'commerce', place: 'head', when: (e) => e.name === 'quotes', component: QuotePanel,
    fields: ['number', 'revision', 'status', 'subtotal', 'discount_total', 'tax_total', 'total', 'sent_at', 'decided_at',
      'max_discount', 'approval', 'approved_by'] },
  { module: 'commerce', place: 'head', when: (e) => e.name === 'quotes', component: QuoteLines, fields: ['lines'] },
  { module: 'commerce', place: 'head', when: (e) => e.name === 'products', component: ProductPrice },
  { module: 'commerce', place: 'head', when: (e, r) => e.name === 'products' && !!modelOf(r.options), component: ProductConfigure },
  { module: 'commerce', place: 'head', when: (e) => e.name === 'products', component: BundleComponents, fields: ['components'] },
  { module: 'commerce', place: 'head', when: (e) => e.name === 'orders', component: OrderPanel,
    fields: ['number', 'status', 'quote_id', 'subtotal', 'discount_total', 'tax_total', 'total', 'status_log'] },
  { module: 'commerce', place: 'head', when: (e) => e.name === 'orders', component: QuoteLines, fields: ['lines'] },
  { module: 'commerce', place: 'head', when: (e) => e.name === 'orders', component: OrderShipments, related: ['shipments.order_id'] },
  { module: 'commerce', place: 'head', when: (e) => e.name === 'contracts', component: ContractTerm,
    fields: ['number', 'remind_on', 'reminded_for', 'renewed_by_id'] },
  { module: 'commerce', place: 'side', when: (e) => e.name === 'accounts' && ['quotes', 'orders', 'contracts'].some((x) => reads(x)()),
    component: AccountCommerce },
  { module: 'automation', place: 'head', when: (e) => ['webhooks', 'webhook_deliveries'].includes(e.name) && isAdmin(),
    component: WebhookRecord },
  { module: 'automation', place: 'head', when: (e) => ['workflows', 'workflow_runs'].includes(e.name) && isAdmin(),
    component: RuleRecord },
];

export const FIELD_EDITORS = [
  { module: 'calendar', entity: 'activities', group: 'repeat', component: RecurrenceEditor,
    fields: ['rrule', 'timezone', 'exdates', 'series_id', 'recurrence_id'] },
  { module: 'commerce', entity: 'quotes', group: 'lines', component: LinesEditor, fields: ['lines'] },
  { module: 'commerce', entity: 'orders', group: 'lines', component: OrderLinesEditor, fields: ['lines'] },
  { module: 'commerce', entity: 'products', group: 'bundle', component: ComponentsEditor, fields: ['components'] },
];

export const GLOBAL_ACTIONS = [
  { module: 'service', id: 'case.new', label: 'svc.new', keys: 'Alt+Shift+C', code: 'KeyC', when: creates('cases'), component: QuickCaseDialog },
];

export const RESULT_ACTIONS = [
  { module: 'service', label: 'svc.new', when: (entity) => ['accounts', 'contacts'].includes(entity) && creates('cases')(),
    action: 'case.new', context: (entity, hit) => (entity === 'accounts' ? { account_id: hit.id } : { contact_id: hit.id }) },
];

export const LIST_ACTIONS = [
  { module: 'mail', label: 'mail.mailing', when: (e) => e.name in MAILING_LINKS && creates('emails')(), component: MailingForm },
];

export const ADMIN_TABS = [
  { module: 'automation', tab: 'automation', label: 'au.tab', when: isAdmin, load: () => import('./automation/automation.jsx').then((m) => m.AutomationAdmin) },
];

// Opens a global action over the page (the shell listens), with its context.
const openers = new Set();
export function openAction(id, context = {}) { for (const fn of openers) fn(id, context); }
export function onOpenAction(fn) { openers.add(fn); return () => openers.delete(fn); }

// The screen a path names, if any.
export function screenOf(path) {
  return SCREENS.find((s) => path === s.path || (s.prefix && path.startsWith(`${s.path}/`)));
}
