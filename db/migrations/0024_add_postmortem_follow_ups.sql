CREATE TABLE `follow_ups` (
	`id` text PRIMARY KEY NOT NULL,
	`postmortem_slug` text NOT NULL,
	`text_en` text NOT NULL,
	`text_ja` text NOT NULL,
	`owner_id` text,
	`due_on` text NOT NULL,
	`status` text NOT NULL,
	`closed_on` text,
	`closed_at` integer,
	`reason_en` text,
	`reason_ja` text,
	`public` integer DEFAULT true NOT NULL,
	`reminded_for` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `follow_ups_postmortem` ON `follow_ups` (`postmortem_slug`);--> statement-breakpoint
CREATE INDEX `follow_ups_status` ON `follow_ups` (`status`,`due_on`);