CREATE TABLE `status_page_components` (
	`page_id` text NOT NULL,
	`component_id` text NOT NULL,
	PRIMARY KEY(`page_id`, `component_id`),
	FOREIGN KEY (`page_id`) REFERENCES `status_pages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `status_page_components_component` ON `status_page_components` (`component_id`);--> statement-breakpoint
CREATE TABLE `status_page_hosts` (
	`host` text PRIMARY KEY NOT NULL,
	`page_id` text NOT NULL,
	FOREIGN KEY (`page_id`) REFERENCES `status_pages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `status_page_hosts_page` ON `status_page_hosts` (`page_id`);--> statement-breakpoint
CREATE TABLE `status_pages` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text,
	`default_locale` text,
	`private` integer DEFAULT false NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `status_pages_slug_unique` ON `status_pages` (`slug`);--> statement-breakpoint
CREATE UNIQUE INDEX `status_pages_one_default` ON `status_pages` (`is_default`) WHERE is_default = 1;--> statement-breakpoint
ALTER TABLE `incidents` ADD `page_id` text REFERENCES status_pages(id) ON DELETE SET NULL;--> statement-breakpoint
CREATE INDEX `incidents_page` ON `incidents` (`page_id`);--> statement-breakpoint
-- An existing install becomes its default page, holding every component it has (archived ones keep their history there).
INSERT INTO `status_pages` (`id`, `slug`, `name`, `default_locale`, `private`, `is_default`, `version`, `created_at`, `updated_at`)
VALUES (lower(hex(randomblob(6))), 'default', NULL, NULL, 0, 1, 1, CAST(unixepoch('subsec') * 1000 AS integer), CAST(unixepoch('subsec') * 1000 AS integer));
--> statement-breakpoint
INSERT INTO `status_page_components` (`page_id`, `component_id`)
SELECT (SELECT `id` FROM `status_pages` WHERE `is_default` = 1), `id` FROM `components`;
