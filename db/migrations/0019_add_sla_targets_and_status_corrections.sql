CREATE TABLE `status_corrections` (
	`id` text PRIMARY KEY NOT NULL,
	`component_id` text NOT NULL,
	`from_at` integer NOT NULL,
	`to_at` integer NOT NULL,
	`status` text NOT NULL,
	`reason` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`withdrawn_at` integer,
	`withdrawn_by` text,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `status_corrections_component` ON `status_corrections` (`component_id`,`to_at`);--> statement-breakpoint
ALTER TABLE `components` ADD `sla_target` real;--> statement-breakpoint
ALTER TABLE `site_settings` ADD `sla_target` real;