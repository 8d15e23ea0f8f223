DROP INDEX `check_results_check_at`;--> statement-breakpoint
CREATE INDEX `check_results_check_at` ON `check_results` (`check_id`,`at`,`ok`,`ms`);--> statement-breakpoint
ALTER TABLE `webhooks` ADD `kind` text DEFAULT 'webhook' NOT NULL;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `locale` text;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `added_by` text DEFAULT 'staff' NOT NULL;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `confirmed_at` integer;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `disabled_reason` text;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `audience` text DEFAULT 'subscribers' NOT NULL;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `paced_until` integer;--> statement-breakpoint
UPDATE `webhooks` SET `confirmed_at` = `created_at`;--> statement-breakpoint
UPDATE `webhooks` SET `disabled_reason` = 'staff' WHERE `disabled_at` IS NOT NULL;
