CREATE TABLE `incident_drafts` (
	`id` text PRIMARY KEY NOT NULL,
	`input` text NOT NULL,
	`author_id` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `incident_drafts_updated` ON `incident_drafts` (`updated_at`);