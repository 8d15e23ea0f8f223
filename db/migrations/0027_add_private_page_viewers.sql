CREATE TABLE `page_viewer_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`page_id` text NOT NULL,
	`pattern` text NOT NULL,
	`component_ids` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`page_id`) REFERENCES `status_pages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `page_viewer_rules_pattern` ON `page_viewer_rules` (`page_id`,`pattern`);--> statement-breakpoint
CREATE TABLE `viewer_links` (
	`id` text PRIMARY KEY NOT NULL,
	`page_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`page_id`) REFERENCES `status_pages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`rule_id`) REFERENCES `page_viewer_rules`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `viewer_sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`page_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`page_id`) REFERENCES `status_pages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`rule_id`) REFERENCES `page_viewer_rules`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `viewer_sessions_expires` ON `viewer_sessions` (`expires_at`);--> statement-breakpoint
ALTER TABLE `outbox` ADD `viewer_link_id` text REFERENCES viewer_links(id) ON DELETE cascade;--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_event_viewer_link` ON `outbox` (`event_id`,`viewer_link_id`);