DROP INDEX `subscribers_email_unique`;--> statement-breakpoint
ALTER TABLE `subscribers` ADD `page_id` text REFERENCES status_pages(id);--> statement-breakpoint
CREATE UNIQUE INDEX `subscribers_page_email` ON `subscribers` (`page_id`,`email`);--> statement-breakpoint
ALTER TABLE `push_subscriptions` ADD `page_id` text REFERENCES status_pages(id);--> statement-breakpoint
ALTER TABLE `webhooks` ADD `page_id` text REFERENCES status_pages(id);--> statement-breakpoint
-- Everyone who subscribed so far did so on the one page there was: the default page.
UPDATE `subscribers` SET `page_id` = (SELECT `id` FROM `status_pages` WHERE `is_default` = 1);--> statement-breakpoint
UPDATE `push_subscriptions` SET `page_id` = (SELECT `id` FROM `status_pages` WHERE `is_default` = 1);--> statement-breakpoint
-- A chat channel a reader added came from the default page's form; staff's channels keep hearing about every page.
UPDATE `webhooks` SET `page_id` = (SELECT `id` FROM `status_pages` WHERE `is_default` = 1) WHERE `added_by` = 'reader';
