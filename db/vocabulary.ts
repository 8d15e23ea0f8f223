// The words stored in the database's text enums, each list spelled once.
// They live here, below src/lib, because the schema needs them and db/ imports
// nothing from the domain; src/lib/status/vocabulary.ts re-exports the status
// words with their helpers, and each domain module re-exports its own. Kept
// free of drizzle and node imports so browser code and templates can share them.

export const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'] as const;

export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;

export const INCIDENT_KINDS = ['incident', 'maintenance'] as const;

export const IMPACTS = ['none', 'minor', 'major', 'critical', 'maintenance'] as const;

/** The impacts staff may give an incident (`maintenance` belongs to maintenance windows). */
export const INCIDENT_IMPACTS = ['none', 'minor', 'major', 'critical'] as const satisfies readonly (typeof IMPACTS)[number][];

/** Why a component's status changed. */
export const STATUS_CAUSES = ['incident_update', 'maintenance', 'manual'] as const;

/** The statuses an incident opened by an alert rule may start in. */
export const ALERT_OPENING_STATUSES = ['investigating', 'identified'] as const satisfies readonly (typeof INCIDENT_STATUSES)[number][];

/** Where an alert rule's recovery takes its incident when the alerts resolve. */
export const ALERT_RECOVERY_STATUSES = ['monitoring', 'resolved'] as const satisfies readonly (typeof INCIDENT_STATUSES)[number][];

/** What an alert rule does with what it matched: suggest a draft, or publish it. */
export const ALERT_RULE_ACTIONS = ['suggest', 'publish'] as const;

/** What an alert rule does when its alerts resolve: suggest the recovery, or apply it. */
export const ALERT_RULE_RECOVERIES = ['suggest', 'apply'] as const;

export const ALERT_SOURCES = ['alertmanager', 'grafana', 'webhook', 'check'] as const;

/** An alert is firing until its sender says it is resolved. */
export const ALERT_STATES = ['firing', 'resolved'] as const;

export const ROLES = ['admin', 'editor'] as const;

export const CHECK_KINDS = ['http', 'tcp'] as const;

export const CHAT_KINDS = ['slack', 'teams', 'discord'] as const;

/** What a webhook endpoint speaks: Shirase's own JSON, or one chat platform's. */
export const WEBHOOK_KINDS = ['webhook', ...CHAT_KINDS] as const;

/** Where a postmortem's follow-up stands: planned, being worked on, done (with the day), or dropped (with a reason). */
export const FOLLOW_UP_STATUSES = ['planned', 'in_progress', 'done', 'dropped'] as const;
