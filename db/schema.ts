import { sql } from 'drizzle-orm';
import {
  ALERT_OPENING_STATUSES,
  ALERT_RECOVERY_STATUSES,
  ALERT_RULE_ACTIONS,
  ALERT_RULE_RECOVERIES,
  ALERT_SOURCES,
  ALERT_STATES,
  CHECK_KINDS,
  COMPONENT_STATUSES,
  FOLLOW_UP_STATUSES,
  IMPACTS,
  INCIDENT_IMPACTS,
  INCIDENT_KINDS,
  ROLES,
  STATUS_CAUSES,
  WEBHOOK_KINDS,
} from './vocabulary';
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey, blob, real, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

// Every time is integer milliseconds since the epoch (UTC).

export const componentGroups = sqliteTable('component_groups', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description'),
  position: integer('position').notNull(),
  /** Other languages' versions of the text fields, as JSON: {"ja": {"name": "…"}}. */
  translations: text('translations'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const components = sqliteTable(
  'components',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description'),
    groupId: text('group_id').references(() => componentGroups.id),
    position: integer('position').notNull(),
    onlyShowIfDegraded: integer('only_show_if_degraded', { mode: 'boolean' }).notNull().default(false),
    /** Other languages' versions of the text fields, as JSON: {"ja": {"name": "…"}}. */
    translations: text('translations'),
    /** Components with history are archived rather than erased. */
    archivedAt: integer('archived_at'),
    /** Raised by every edit; a save that names an older version is refused, so no edit is silently overwritten. */
    version: integer('version').notNull().default(1),
    /** The uptime promised for this component in percent (99.9); null follows the page's target. */
    slaTarget: real('sla_target'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('components_group_position').on(t.groupId, t.position)],
);

/**
 * A maintenance window that repeats. Each occurrence is its own row in
 * `incidents` (with its reminder, automatic start and end, and edits); the
 * series keeps the rule they were made from, for calendars (RRULE).
 */
export const maintenanceSeries = sqliteTable('maintenance_series', {
  id: text('id').primaryKey(),
  /** An RFC 5545 RRULE value without DTSTART: FREQ=WEEKLY or MONTHLY, with COUNT or UNTIL (UTC). */
  rule: text('rule').notNull(),
  /** The zone whose wall-clock time the occurrences keep across daylight-saving changes. */
  timeZone: text('time_zone').notNull(),
  firstStart: integer('first_start').notNull(),
  durationMs: integer('duration_ms').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const incidents = sqliteTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: INCIDENT_KINDS }).notNull(),
    name: text('name').notNull(),
    /** Other languages' versions of the text fields, as JSON: {"ja": {"name": "…"}}. */
    translations: text('translations'),
    impact: text('impact', { enum: IMPACTS }).notNull(),
    /** Set when staff chose the impact instead of deriving it from component statuses. */
    impactOverride: integer('impact_override', { mode: 'boolean' }).notNull().default(false),
    /** When impact began, if staff declared it earlier than the first update. */
    declaredStartAt: integer('declared_start_at'),
    // The next four columns are caches of what the update log says; they are
    // recomputed from the log in the same transaction as every change to it.
    status: text('status').notNull(),
    startedAt: integer('started_at').notNull(),
    monitoringAt: integer('monitoring_at'),
    resolvedAt: integer('resolved_at'),
    scheduledFor: integer('scheduled_for'),
    scheduledUntil: integer('scheduled_until'),
    /** Maintenance only: start and complete at the window's edges without staff. */
    autoTransitions: integer('auto_transitions', { mode: 'boolean' }).notNull().default(true),
    backfilled: integer('backfilled', { mode: 'boolean' }).notNull().default(false),
    /** Incidents only: minutes customers may go without a public update before the staff on it are reminded. */
    updateCadenceMinutes: integer('update_cadence_minutes').notNull().default(60),
    /**
     * The display time of the latest update a missed-cadence reminder was sent for:
     * a reminder goes out once per update, whatever the number of ticks or restarts.
     */
    cadenceRemindedFor: integer('cadence_reminded_for'),
    /** Raised by every edit of the incident itself (name, impact, components); see components.version. */
    version: integer('version').notNull().default(1),
    /**
     * Raised by every change to the incident or its log (by refreshIncident,
     * in the same transaction): a maintenance window's calendar event carries
     * it as SEQUENCE, so calendars take the newer copy (RFC 5545, 3.8.7.4).
     */
    sequence: integer('sequence').notNull().default(0),
    /** Maintenance only: the series this window is one occurrence of. */
    seriesId: text('series_id').references(() => maintenanceSeries.id),
    /**
     * The status page an incident that names no component is on (null: the
     * default page). One that names components is on the pages they sit on,
     * and on this one too if it is set.
     */
    pageId: text('page_id').references((): AnySQLiteColumn => statusPages.id, { onDelete: 'set null' }),
    /** The start the series' rule gave this occurrence (its RECURRENCE-ID), whatever staff did to it since. */
    occurrenceStart: integer('occurrence_start'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('incidents_kind_started').on(t.kind, t.startedAt),
    // Open incidents or maintenance of a kind: a handful among thousands, found
    // without reading the rest (the lists are then ordered in memory).
    index('incidents_kind_status_started').on(t.kind, t.status, t.startedAt),
    index('incidents_status').on(t.status),
    index('incidents_started').on(t.startedAt),
    index('incidents_resolved').on(t.resolvedAt),
    index('incidents_page').on(t.pageId),
    index('incidents_series').on(t.seriesId),
  ],
);

export const incidentComponents = sqliteTable(
  'incident_components',
  {
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    componentId: text('component_id')
      .notNull()
      .references(() => components.id),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.componentId] }), index('incident_components_component').on(t.componentId)],
);

export const incidentUpdates = sqliteTable(
  'incident_updates',
  {
    id: text('id').primaryKey(),
    /** Insertion order, used to break ties between updates shown at the same time. */
    seq: integer('seq').notNull(),
    incidentId: text('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    body: text('body').notNull(),
    /**
     * Set for texts the system writes (maintenance started, completed, cancelled):
     * the catalog key it is shown through in the reader's language; `body` is then empty.
     */
    bodyKey: text('body_key'),
    displayAt: integer('display_at').notNull(),
    /** Other languages' versions of the text fields, as JSON: {"ja": {"name": "…"}}. */
    translations: text('translations'),
    notify: integer('notify', { mode: 'boolean' }).notNull().default(false),
    /** Raised by every edit of this update; see components.version. */
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('incident_updates_incident_display').on(t.incidentId, t.displayAt), uniqueIndex('incident_updates_seq').on(t.seq)],
);

/**
 * An incident being written that is not public yet: the new-incident form's
 * input as JSON, checked by the same schema as openIncident when published.
 * Nothing else reads this table, so a draft cannot reach a public page, a
 * feed, the API, the search index or a subscriber.
 */
export const incidentDrafts = sqliteTable(
  'incident_drafts',
  {
    id: text('id').primaryKey(),
    input: text('input').notNull(),
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    /** Set for a suggested update to this incident (such as recovery when its alerts resolve); null for a new incident. */
    incidentId: text('incident_id').references(() => incidents.id, { onDelete: 'cascade' }),
    /** Raised by every save; see components.version. */
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('incident_drafts_updated').on(t.updatedAt)],
);

/** Every status change of every component: the ledger current status and uptime derive from. */
export const componentStatusChanges = sqliteTable(
  'component_status_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    componentId: text('component_id')
      .notNull()
      .references(() => components.id),
    at: integer('at').notNull(),
    status: text('status', {
      enum: COMPONENT_STATUSES,
    }).notNull(),
    /** The status it replaced when it was written, as Statuspage reports in affected_components. */
    previousStatus: text('previous_status').notNull(),
    cause: text('cause', { enum: STATUS_CAUSES }).notNull(),
    incidentId: text('incident_id').references(() => incidents.id, { onDelete: 'cascade' }),
    incidentUpdateId: text('incident_update_id').references(() => incidentUpdates.id, { onDelete: 'cascade' }),
    note: text('note'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('status_changes_component_at').on(t.componentId, t.at),
    index('status_changes_update').on(t.incidentUpdateId),
    index('status_changes_incident').on(t.incidentId),
  ],
);

/** Small key/value facts about the site, among them the change counter other processes watch. */
export const siteState = sqliteTable('site_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * Branding and site settings staff set under Admin → Settings: one row (id 1).
 * A null column means "as the environment says" (SITE_NAME, TIME_ZONE,
 * DEFAULT_LOCALE) or "none".
 */
export const siteSettings = sqliteTable('site_settings', {
  id: integer('id').primaryKey(),
  siteName: text('site_name'),
  timeZone: text('time_zone'),
  defaultLocale: text('default_locale'),
  accentColor: text('accent_color'),
  accentColorDark: text('accent_color_dark'),
  mainSiteUrl: text('main_site_url'),
  supportUrl: text('support_url'),
  footerText: text('footer_text'),
  footerTextJa: text('footer_text_ja'),
  customCss: text('custom_css'),
  /** The uptime promised for the page as a whole in percent, and for every component without its own; null: none. */
  slaTarget: real('sla_target'),
  updatedAt: integer('updated_at').notNull(),
});

/** Files served under /brand/ with their content hash in the name: the logo, the favicon and the theme stylesheet. */
export const siteFiles = sqliteTable('site_files', {
  kind: text('kind').primaryKey(),
  contentType: text('content_type').notNull(),
  body: blob('body', { mode: 'buffer' }).notNull(),
  hash: text('hash').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name'),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  disabledAt: integer('disabled_at'),
  /** Base32 TOTP secret once two-factor sign-in is set up (pending until totpEnabledAt is set). */
  totpSecret: text('totp_secret'),
  totpEnabledAt: integer('totp_enabled_at'),
  /** The last time step a code was accepted for, so a code is never accepted twice. */
  totpLastStep: integer('totp_last_step'),
  /** On call: told first when an alert or a check suggests an incident (with nobody on call, every admin is). */
  onCall: integer('on_call', { mode: 'boolean' }).notNull().default(false),
  /**
   * Second-factor codes tried since the last right one, from any address
   * (counted before each is checked), when the last was tried, and until when
   * the code step waits once they pass the ceiling (second-factor-ceiling.ts).
   */
  codeFailures: integer('code_failures').notNull().default(0),
  codeFailedAt: integer('code_failed_at'),
  codeWaitUntil: integer('code_wait_until'),
});

/** One-time recovery codes for two-factor sign-in, stored hashed. */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: integer('used_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('recovery_codes_user').on(t.userId)],
);

/** A password was right and a second factor is still owed: the next step of sign-in, stored by the SHA-256 of its token. */
export const signInChallenges = sqliteTable('sign_in_challenges', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: integer('expires_at').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** Sessions are stored by the SHA-256 of their token, so a copy of the database signs nobody in. */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Failed sign-ins per account and per client address, for throttling. */
export const signInFailures = sqliteTable(
  'sign_in_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** `account:<email>` or `address:<ip>`. */
    subject: text('subject').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('sign_in_failures_subject_at').on(t.subject, t.at)],
);

export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** The first characters of the token, shown so people can tell tokens apart. */
  prefix: text('prefix').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  /** JSON array of scopes: read, incidents, components, maintenance. */
  scopes: text('scopes').notNull(),
  createdBy: text('created_by').references(() => users.id),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
});

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actorKind: text('actor_kind', { enum: ['user', 'token', 'system'] }).notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    before: text('before'),
    after: text('after'),
    /**
     * Who may read the entry: every staff member, or admins only (entries
     * that name staff sign-in addresses, subscribers, webhook URLs, tokens,
     * settings, checks). Set by recordAudit from the action (audit-audience.ts).
     */
    audience: text('audience', { enum: ['staff', 'admins'] })
      .notNull()
      .default('staff'),
  },
  (t) => [index('audit_at').on(t.at), index('audit_actor').on(t.actorId, t.at), index('audit_entity').on(t.entityType, t.at)],
);

export const updateTemplates = sqliteTable('update_templates', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  status: text('status').notNull(),
  body: text('body').notNull(),
  /** The body in other languages: {"ja": {"body": "…"}}. */
  translations: text('translations'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const subscribers = sqliteTable(
  'subscribers',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    /**
     * The status page subscribed on: its incidents, links and name are what the
     * mail carries. Always set (the column came after the table, so SQLite
     * cannot say NOT NULL without rebuilding it); removing a page moves its
     * subscribers to the default page first.
     */
    pageId: text('page_id').references((): AnySQLiteColumn => statusPages.id),
    locale: text('locale').notNull(),
    /** The IANA zone the reader's mails give times in (their browser's when they subscribed); null: the site's. */
    timeZone: text('time_zone'),
    /** JSON array of component ids, or null for every component. */
    componentIds: text('component_ids'),
    status: text('status', { enum: ['pending', 'confirmed', 'unsubscribed', 'paused'] }).notNull(),
    permanentFailures: integer('permanent_failures').notNull().default(0),
    /** Signed links carry this number; raising it (unsubscribing, asking for a new link) makes every older link expire. */
    linkGeneration: integer('link_generation').notNull().default(0),
    confirmedAt: integer('confirmed_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('subscribers_status').on(t.status), uniqueIndex('subscribers_page_email').on(t.pageId, t.email)],
);

/**
 * Addresses Shirase posts to: generic signed webhooks, and chat channels
 * (Slack, Microsoft Teams and Discord incoming webhooks) that get messages in
 * their platform's own format.
 */
export const webhooks = sqliteTable('webhooks', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description'),
  /** Signs each delivery (HMAC-SHA256); shown to staff once. */
  secret: text('secret').notNull(),
  /** The status page it hears about; null: every page (a staff channel may want them all). A reader's is the page it was added on. */
  pageId: text('page_id').references((): AnySQLiteColumn => statusPages.id),
  componentIds: text('component_ids'),
  createdAt: integer('created_at').notNull(),
  disabledAt: integer('disabled_at'),
  kind: text('kind', { enum: WEBHOOK_KINDS }).notNull().default('webhook'),
  /** The language chat messages are written in; null is the site's. */
  locale: text('locale'),
  /** Who added it: a reader's channel gets nothing but the confirmation message until someone there confirms. */
  addedBy: text('added_by', { enum: ['staff', 'reader'] })
    .notNull()
    .default('staff'),
  confirmedAt: integer('confirmed_at'),
  /** Why it stopped: staff turned it off, the channel's own stop link was used, or the platform said the hook is gone. */
  disabledReason: text('disabled_reason', { enum: ['staff', 'reader', 'gone'] }),
  /** Who reads the channel: subscribers get status notifications; a staff channel gets alert suggestions and update reminders only. */
  audience: text('audience', { enum: ['subscribers', 'staff'] })
    .notNull()
    .default('subscribers'),
  /** Nothing more is sent to it before this time: a platform's pace (Slack: one message a second) or the wait it asked for (a 429). */
  pacedUntil: integer('paced_until'),
});

/**
 * Browsers that take notifications through their push service (the Push API):
 * the endpoint the browser gave, and its keys that each message is encrypted
 * to (RFC 8291). Knowing the endpoint is what lets a reader turn it off.
 */
export const pushSubscriptions = sqliteTable(
  'push_subscriptions',
  {
    id: text('id').primaryKey(),
    endpoint: text('endpoint').notNull(),
    /** The browser's P-256 public key and auth secret, base64url as the browser gives them. */
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    /** The status page the browser subscribed on (always set, as a subscriber's is). */
    pageId: text('page_id').references((): AnySQLiteColumn => statusPages.id),
    componentIds: text('component_ids'),
    locale: text('locale').notNull(),
    createdAt: integer('created_at').notNull(),
    disabledAt: integer('disabled_at'),
    /** Why it stopped: the reader turned it off, or the push service said the subscription is gone (404, 410). */
    disabledReason: text('disabled_reason', { enum: ['reader', 'gone'] }),
  },
  (t) => [uniqueIndex('push_subscriptions_endpoint').on(t.endpoint)],
);

/** Something subscribers hear about: written in the same transaction as the change that caused it. */
export const notificationEvents = sqliteTable(
  'notification_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull(),
    incidentId: text('incident_id'),
    updateId: text('update_id'),
    subscriberId: text('subscriber_id'),
    /** Anything else the event points at, such as a postmortem's slug. */
    ref: text('ref'),
    /** Set for events that must happen once, such as a maintenance reminder. */
    onceKey: text('once_key').unique(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('events_incident').on(t.incidentId)],
);

/** One row per (event, recipient): the unit of delivery, claimed with a lease. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    eventId: integer('event_id')
      .notNull()
      .references(() => notificationEvents.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: ['email', 'webhook', 'push'] }).notNull(),
    subscriberId: text('subscriber_id').references(() => subscribers.id, { onDelete: 'cascade' }),
    webhookId: text('webhook_id').references(() => webhooks.id, { onDelete: 'cascade' }),
    /** A staff user, for mail only staff get (missed-cadence reminders); never set together with subscriberId. */
    // Staff accounts are disabled, never deleted, so the reference needs no cascade.
    userId: text('user_id').references(() => users.id),
    pushSubscriptionId: text('push_subscription_id').references(() => pushSubscriptions.id, { onDelete: 'cascade' }),
    /** A private page's sign-in link, mailed to the address it names. */
    viewerLinkId: text('viewer_link_id').references((): AnySQLiteColumn => viewerLinks.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['pending', 'sending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    response: text('response'),
    messageId: text('message_id'),
    sentAt: integer('sent_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('outbox_event_subscriber').on(t.eventId, t.subscriberId),
    uniqueIndex('outbox_event_webhook').on(t.eventId, t.webhookId),
    uniqueIndex('outbox_event_user').on(t.eventId, t.userId),
    uniqueIndex('outbox_event_push').on(t.eventId, t.pushSubscriptionId),
    uniqueIndex('outbox_event_viewer_link').on(t.eventId, t.viewerLinkId),
    index('outbox_due').on(t.status, t.nextAttemptAt),
  ],
);

/** Requests counted per subject (an address, a client) for throttling public forms. */
export const throttleHits = sqliteTable(
  'throttle_hits',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subject: text('subject').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('throttle_subject_at').on(t.subject, t.at)],
);

/**
 * What turns alerts into incidents: matchers on an alert's labels (all must
 * hold), the components and status its incident sets, whether the incident
 * waits for a person (suggest) or opens at once (publish), and what happens
 * when the alerts resolve. Rules are tried in position order; the first that
 * matches takes the alert.
 */
export const alertRules = sqliteTable('alert_rules', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** JSON: [{"label": "service", "op": "=", "value": "api"}]; op is one of = != =~ !~. */
  matchers: text('matchers').notNull(),
  /** JSON: [{"componentId": "…", "status": "major_outage"}], set while the alerts fire. */
  components: text('components').notNull().default('[]'),
  incidentStatus: text('incident_status', { enum: ALERT_OPENING_STATUSES }).notNull().default('investigating'),
  impact: text('impact', { enum: INCIDENT_IMPACTS }).notNull().default('minor'),
  action: text('action', { enum: ALERT_RULE_ACTIONS }).notNull().default('suggest'),
  /** Subscribers are told when the rule publishes (opening and recovery). */
  notify: integer('notify', { mode: 'boolean' }).notNull().default(false),
  recovery: text('recovery', { enum: ALERT_RULE_RECOVERIES }).notNull().default('suggest'),
  recoveryStatus: text('recovery_status', { enum: ALERT_RECOVERY_STATUSES }).notNull().default('resolved'),
  /** JSON: {"en": {"name": "…", "body": "…", "recovery": "…"}, "ja": {…}}, with template variables; null uses the built-in texts. */
  texts: text('texts'),
  position: integer('position').notNull(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  version: integer('version').notNull().default(1),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * One firing group for one rule: the alerts a source sent under one group key
 * that the same rule (or no rule) took. It owns one draft or incident; later
 * alerts of the group append to it, and when every alert has resolved the
 * group closes and recovery is suggested or applied. A group that fires again
 * after closing is a new group.
 */
export const alertGroups = sqliteTable(
  'alert_groups',
  {
    id: text('id').primaryKey(),
    source: text('source', { enum: ALERT_SOURCES }).notNull(),
    groupKey: text('group_key').notNull(),
    /** The rule's id, or '' for alerts no rule matched (kept not null so the open-group index covers them). */
    ruleKey: text('rule_key').notNull(),
    state: text('state', { enum: ALERT_STATES }).notNull(),
    /** The draft waiting for approval (a suggested incident), until it is published or deleted. */
    draftId: text('draft_id'),
    incidentId: text('incident_id').references(() => incidents.id, { onDelete: 'set null' }),
    /** The suggested recovery update, once the alerts resolved on a rule that suggests. */
    recoveryDraftId: text('recovery_draft_id'),
    firedAt: integer('fired_at').notNull(),
    resolvedAt: integer('resolved_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('alert_groups_open')
      .on(t.source, t.groupKey, t.ruleKey)
      .where(sql`state = 'firing'`),
    index('alert_groups_draft').on(t.draftId),
    index('alert_groups_incident').on(t.incidentId),
  ],
);

/** Each alert a group has seen, by its fingerprint and start: a repeated delivery finds it and changes nothing. */
export const alerts = sqliteTable(
  'alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    groupId: text('group_id')
      .notNull()
      .references(() => alertGroups.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    fingerprint: text('fingerprint').notNull(),
    startsAt: integer('starts_at').notNull(),
    status: text('status', { enum: ALERT_STATES }).notNull(),
    name: text('name').notNull(),
    summary: text('summary'),
    /** JSON object of the alert's labels. */
    labels: text('labels').notNull(),
    endsAt: integer('ends_at'),
    url: text('url'),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [uniqueIndex('alerts_occurrence').on(t.source, t.fingerprint, t.startsAt), index('alerts_group').on(t.groupId)],
);

/** A probe run from Shirase itself: HTTP(S) or TCP, every interval_seconds (30 or more). */
export const checks = sqliteTable('checks', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: CHECK_KINDS }).notNull(),
  /** A URL for http, host:port for tcp. */
  target: text('target').notNull(),
  intervalSeconds: integer('interval_seconds').notNull().default(60),
  timeoutMs: integer('timeout_ms').notNull().default(10_000),
  /** Expected HTTP status: "200", or a range "200-399". */
  expectedStatus: text('expected_status').notNull().default('200-399'),
  keyword: text('keyword'),
  /** Warn when the certificate expires within this many days; null never warns. */
  certWarnDays: integer('cert_warn_days'),
  /** Consecutive failures before the check fires its alert. */
  failuresBefore: integer('failures_before').notNull().default(3),
  /** JSON object of extra labels its alert carries, for rules to match (for example {"service": "api"}). */
  labels: text('labels').notNull().default('{}'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  state: text('state', { enum: ['unknown', 'up', 'down'] })
    .notNull()
    .default('unknown'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  /** When the current run of failures began (the alert's start). */
  failingSince: integer('failing_since'),
  lastCheckedAt: integer('last_checked_at'),
  certExpiresAt: integer('cert_expires_at'),
  version: integer('version').notNull().default(1),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Every run of every check, kept 90 days: the chart staff see. */
export const checkResults = sqliteTable(
  'check_results',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    checkId: text('check_id')
      .notNull()
      .references(() => checks.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    ms: integer('ms'),
    statusCode: integer('status_code'),
    error: text('error'),
  },
  (t) => [index('check_results_check_at').on(t.checkId, t.at, t.ok, t.ms), index('check_results_at').on(t.at)],
);

/**
 * What an import from another status page brought in: the source's id of each
 * group, component, incident, update and subscriber, and the row it became
 * here. A second run of the same import finds its rows through this table and
 * updates them instead of adding copies.
 */
export const importedRecords = sqliteTable(
  'imported_records',
  {
    /** The origin: `statuspage:<page id>`. */
    source: text('source').notNull(),
    kind: text('kind', { enum: ['group', 'component', 'incident', 'update', 'subscriber'] }).notNull(),
    sourceId: text('source_id').notNull(),
    localId: text('local_id').notNull(),
    importedAt: integer('imported_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.kind, t.sourceId] }), index('imported_records_local').on(t.kind, t.localId)],
);

/**
 * A correction staff made to a component's status history: from `from` to
 * `to` the component is taken to have been in `status`, whatever the ledger
 * says (an outage that began before anyone recorded it, a false alarm). The
 * ledger itself is never rewritten; uptime, the 90-day strip and the API read
 * it through the corrections that are not withdrawn, later ones on top.
 */
export const statusCorrections = sqliteTable(
  'status_corrections',
  {
    id: text('id').primaryKey(),
    componentId: text('component_id')
      .notNull()
      .references(() => components.id),
    from: integer('from_at').notNull(),
    to: integer('to_at').notNull(),
    status: text('status', {
      enum: COMPONENT_STATUSES,
    }).notNull(),
    reason: text('reason').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    withdrawnAt: integer('withdrawn_at'),
    withdrawnBy: text('withdrawn_by'),
  },
  (t) => [index('status_corrections_component').on(t.componentId, t.to)],
);

/**
 * What a postmortem promised to do afterwards, tracked until it is done or
 * dropped. A report written in several languages is one report: its
 * follow-ups are kept under the slug they were added from and shown with
 * every language's version (see load-follow-ups.ts). Texts are in each
 * language; `due_on` and `closed_on` are calendar days (YYYY-MM-DD) in the
 * page's zone. Only `public` ones are ever shown to readers.
 */
export const followUps = sqliteTable(
  'follow_ups',
  {
    id: text('id').primaryKey(),
    postmortemSlug: text('postmortem_slug').notNull(),
    textEn: text('text_en').notNull(),
    textJa: text('text_ja').notNull(),
    /** A staff member; null until someone takes it (the demo's before its admin exists). Accounts are disabled, never deleted. */
    ownerId: text('owner_id').references(() => users.id),
    dueOn: text('due_on').notNull(),
    status: text('status', { enum: FOLLOW_UP_STATUSES }).notNull(),
    /** The day it was done or dropped, as staff gave it. */
    closedOn: text('closed_on'),
    /** When it was recorded as done or dropped: the feed item's time. */
    closedAt: integer('closed_at'),
    reasonEn: text('reason_en'),
    reasonJa: text('reason_ja'),
    public: integer('public', { mode: 'boolean' }).notNull().default(true),
    /** The due day an overdue reminder was sent for, so each due day is reminded once. */
    remindedFor: text('reminded_for'),
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('follow_ups_postmortem').on(t.postmortemSlug), index('follow_ups_status').on(t.status, t.dueOn)],
);

/**
 * A status page: a set of components shown under a name, at one or more host
 * names. An install has one default page, which answers every host no page
 * names (an existing install's settings and components become it); others are
 * added for a second product or an audience of their own. A component may sit
 * on several pages.
 */
export const statusPages = sqliteTable(
  'status_pages',
  {
    id: text('id').primaryKey(),
    /** Lowercase letters, digits and hyphens: how staff, the CLI and the API name it. */
    slug: text('slug').notNull().unique(),
    /** The name readers see; null on the default page: the site's name (Admin → Settings or SITE_NAME). */
    name: text('name'),
    /** The language a reader without a preference gets; null: the site's. */
    defaultLocale: text('default_locale'),
    /** Shown only to viewers who have signed in. */
    private: integer('private', { mode: 'boolean' }).notNull().default(false),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('status_pages_one_default')
      .on(t.isDefault)
      .where(sql`is_default = 1`),
  ],
);

/** The host names a page answers (lowercase, without a port); a host names one page at most. */
export const statusPageHosts = sqliteTable(
  'status_page_hosts',
  {
    host: text('host').primaryKey(),
    pageId: text('page_id')
      .notNull()
      .references(() => statusPages.id, { onDelete: 'cascade' }),
  },
  (t) => [index('status_page_hosts_page').on(t.pageId)],
);

/** Which components each page shows. */
export const statusPageComponents = sqliteTable(
  'status_page_components',
  {
    pageId: text('page_id')
      .notNull()
      .references(() => statusPages.id, { onDelete: 'cascade' }),
    // A component removed for good leaves every page it was on.
    componentId: text('component_id')
      .notNull()
      .references(() => components.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.pageId, t.componentId] }), index('status_page_components_component').on(t.componentId)],
);

/**
 * Who may see a private status page: one address (`someone@example.com`) or
 * everyone at a domain (`@example.com`), lowercase. Each rule is a group of
 * viewers: the page is rendered once per change for each group, showing the
 * group's components (null: every component on the page).
 */
export const pageViewerRules = sqliteTable(
  'page_viewer_rules',
  {
    id: text('id').primaryKey(),
    pageId: text('page_id')
      .notNull()
      .references(() => statusPages.id, { onDelete: 'cascade' }),
    pattern: text('pattern').notNull(),
    componentIds: text('component_ids'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('page_viewer_rules_pattern').on(t.pageId, t.pattern)],
);

/** A sign-in link mailed to a viewer: used once, within minutes, by the address it was sent to. */
export const viewerLinks = sqliteTable('viewer_links', {
  id: text('id').primaryKey(),
  pageId: text('page_id')
    .notNull()
    .references(() => statusPages.id, { onDelete: 'cascade' }),
  // A rule removed takes its unused links with it: they let nobody in any more.
  ruleId: text('rule_id')
    .notNull()
    .references(() => pageViewerRules.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
});

/** A viewer signed in to a private page: apart from staff sessions, good for that page only. */
export const viewerSessions = sqliteTable(
  'viewer_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    pageId: text('page_id')
      .notNull()
      .references(() => statusPages.id, { onDelete: 'cascade' }),
    ruleId: text('rule_id')
      .notNull()
      .references(() => pageViewerRules.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('viewer_sessions_expires').on(t.expiresAt)],
);
