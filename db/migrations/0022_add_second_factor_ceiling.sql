ALTER TABLE `users` ADD `code_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `code_failed_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `code_wait_until` integer;