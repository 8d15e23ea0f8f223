CREATE TABLE `push_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`endpoint` text NOT NULL,
	`p256dh` text NOT NULL,
	`auth` text NOT NULL,
	`component_ids` text,
	`locale` text NOT NULL,
	`created_at` integer NOT NULL,
	`disabled_at` integer,
	`disabled_reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `push_subscriptions_endpoint` ON `push_subscriptions` (`endpoint`);--> statement-breakpoint
ALTER TABLE `outbox` ADD `push_subscription_id` text REFERENCES push_subscriptions(id) ON DELETE cascade;--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_event_push` ON `outbox` (`event_id`,`push_subscription_id`);