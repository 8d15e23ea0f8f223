ALTER TABLE `incidents` ADD `update_cadence_minutes` integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE `incidents` ADD `cadence_reminded_for` integer;--> statement-breakpoint
ALTER TABLE `outbox` ADD `user_id` text REFERENCES users(id);--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_event_user` ON `outbox` (`event_id`,`user_id`);