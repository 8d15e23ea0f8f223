CREATE TABLE `component_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`position` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `component_status_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`component_id` text NOT NULL,
	`at` integer NOT NULL,
	`status` text NOT NULL,
	`previous_status` text NOT NULL,
	`cause` text NOT NULL,
	`incident_id` text,
	`incident_update_id` text,
	`note` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`incident_update_id`) REFERENCES `incident_updates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `status_changes_component_at` ON `component_status_changes` (`component_id`,`at`);--> statement-breakpoint
CREATE INDEX `status_changes_update` ON `component_status_changes` (`incident_update_id`);--> statement-breakpoint
CREATE TABLE `components` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`group_id` text,
	`position` integer NOT NULL,
	`only_show_if_degraded` integer DEFAULT false NOT NULL,
	`archived_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `component_groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `components_group_position` ON `components` (`group_id`,`position`);--> statement-breakpoint
CREATE TABLE `incident_components` (
	`incident_id` text NOT NULL,
	`component_id` text NOT NULL,
	PRIMARY KEY(`incident_id`, `component_id`),
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `incident_components_component` ON `incident_components` (`component_id`);--> statement-breakpoint
CREATE TABLE `incident_updates` (
	`id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`incident_id` text NOT NULL,
	`status` text NOT NULL,
	`body` text NOT NULL,
	`display_at` integer NOT NULL,
	`notify` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `incident_updates_incident_display` ON `incident_updates` (`incident_id`,`display_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `incident_updates_seq` ON `incident_updates` (`seq`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`impact` text NOT NULL,
	`impact_override` integer DEFAULT false NOT NULL,
	`declared_start_at` integer,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`monitoring_at` integer,
	`resolved_at` integer,
	`scheduled_for` integer,
	`scheduled_until` integer,
	`auto_transitions` integer DEFAULT true NOT NULL,
	`backfilled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `incidents_kind_started` ON `incidents` (`kind`,`started_at`);--> statement-breakpoint
CREATE INDEX `incidents_status` ON `incidents` (`status`);--> statement-breakpoint
CREATE TABLE `site_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
