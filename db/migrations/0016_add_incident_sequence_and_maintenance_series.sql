CREATE TABLE `maintenance_series` (
	`id` text PRIMARY KEY NOT NULL,
	`rule` text NOT NULL,
	`time_zone` text NOT NULL,
	`first_start` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `incidents` ADD `sequence` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `incidents` ADD `series_id` text REFERENCES maintenance_series(id);--> statement-breakpoint
ALTER TABLE `incidents` ADD `occurrence_start` integer;--> statement-breakpoint
CREATE INDEX `incidents_series` ON `incidents` (`series_id`);