import { sqliteTable, text, integer, index, uniqueIndex, primaryKey, blob } from 'drizzle-orm/sqlite-core';

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
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('components_group_position').on(t.groupId, t.position)],
);

export const incidents = sqliteTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['incident', 'maintenance'] }).notNull(),
    name: text('name').notNull(),
    /** Other languages' versions of the text fields, as JSON: {"ja": {"name": "…"}}. */
    translations: text('translations'),
    impact: text('impact', { enum: ['none', 'minor', 'major', 'critical', 'maintenance'] }).notNull(),
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
      enum: ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'],
    }).notNull(),
    /** The status it replaced when it was written, as Statuspage reports in affected_components. */
    previousStatus: text('previous_status').notNull(),
    cause: text('cause', { enum: ['incident_update', 'maintenance', 'manual'] }).notNull(),
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
  role: text('role', { enum: ['admin', 'editor'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  disabledAt: integer('disabled_at'),
  /** Base32 TOTP secret once two-factor sign-in is set up (pending until totpEnabledAt is set). */
  totpSecret: text('totp_secret'),
  totpEnabledAt: integer('totp_enabled_at'),
  /** The last time step a code was accepted for, so a code is never accepted twice. */
  totpLastStep: integer('totp_last_step'),
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
    email: text('email').notNull().unique(),
    locale: text('locale').notNull(),
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
  (t) => [index('subscribers_status').on(t.status)],
);

export const webhooks = sqliteTable('webhooks', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description'),
  /** Signs each delivery (HMAC-SHA256); shown to staff once. */
  secret: text('secret').notNull(),
  componentIds: text('component_ids'),
  createdAt: integer('created_at').notNull(),
  disabledAt: integer('disabled_at'),
});

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
    channel: text('channel', { enum: ['email', 'webhook'] }).notNull(),
    subscriberId: text('subscriber_id').references(() => subscribers.id, { onDelete: 'cascade' }),
    webhookId: text('webhook_id').references(() => webhooks.id, { onDelete: 'cascade' }),
    /** A staff user, for mail only staff get (missed-cadence reminders); never set together with subscriberId. */
    // Staff accounts are disabled, never deleted, so the reference needs no cascade.
    userId: text('user_id').references(() => users.id),
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
