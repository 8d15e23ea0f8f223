CREATE TABLE `imported_records` (
	`source` text NOT NULL,
	`kind` text NOT NULL,
	`source_id` text NOT NULL,
	`local_id` text NOT NULL,
	`imported_at` integer NOT NULL,
	PRIMARY KEY(`source`, `kind`, `source_id`)
);
--> statement-breakpoint
CREATE INDEX `imported_records_local` ON `imported_records` (`kind`,`local_id`);