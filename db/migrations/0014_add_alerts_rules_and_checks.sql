CREATE TABLE `alert_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`group_key` text NOT NULL,
	`rule_key` text NOT NULL,
	`state` text NOT NULL,
	`draft_id` text,
	`incident_id` text,
	`recovery_draft_id` text,
	`fired_at` integer NOT NULL,
	`resolved_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_groups_open` ON `alert_groups` (`source`,`group_key`,`rule_key`) WHERE state = 'firing';--> statement-breakpoint
CREATE INDEX `alert_groups_draft` ON `alert_groups` (`draft_id`);--> statement-breakpoint
CREATE INDEX `alert_groups_incident` ON `alert_groups` (`incident_id`);--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`matchers` text NOT NULL,
	`components` text DEFAULT '[]' NOT NULL,
	`incident_status` text DEFAULT 'investigating' NOT NULL,
	`impact` text DEFAULT 'minor' NOT NULL,
	`action` text DEFAULT 'suggest' NOT NULL,
	`notify` integer DEFAULT false NOT NULL,
	`recovery` text DEFAULT 'suggest' NOT NULL,
	`recovery_status` text DEFAULT 'resolved' NOT NULL,
	`texts` text,
	`position` integer NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`group_id` text NOT NULL,
	`source` text NOT NULL,
	`fingerprint` text NOT NULL,
	`starts_at` integer NOT NULL,
	`status` text NOT NULL,
	`name` text NOT NULL,
	`summary` text,
	`labels` text NOT NULL,
	`ends_at` integer,
	`url` text,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `alert_groups`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_occurrence` ON `alerts` (`source`,`fingerprint`,`starts_at`);--> statement-breakpoint
CREATE INDEX `alerts_group` ON `alerts` (`group_id`);--> statement-breakpoint
CREATE TABLE `check_results` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`check_id` text NOT NULL,
	`at` integer NOT NULL,
	`ok` integer NOT NULL,
	`ms` integer,
	`status_code` integer,
	`error` text,
	FOREIGN KEY (`check_id`) REFERENCES `checks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `check_results_check_at` ON `check_results` (`check_id`,`at`);--> statement-breakpoint
CREATE INDEX `check_results_at` ON `check_results` (`at`);--> statement-breakpoint
CREATE TABLE `checks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`target` text NOT NULL,
	`interval_seconds` integer DEFAULT 60 NOT NULL,
	`timeout_ms` integer DEFAULT 10000 NOT NULL,
	`expected_status` text DEFAULT '200-399' NOT NULL,
	`keyword` text,
	`cert_warn_days` integer,
	`failures_before` integer DEFAULT 3 NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`state` text DEFAULT 'unknown' NOT NULL,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`failing_since` integer,
	`last_checked_at` integer,
	`cert_expires_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `incident_drafts` ADD `incident_id` text REFERENCES incidents(id) ON DELETE cascade;--> statement-breakpoint
ALTER TABLE `users` ADD `on_call` integer DEFAULT false NOT NULL;