CREATE TABLE `site_files` (
	`kind` text PRIMARY KEY NOT NULL,
	`content_type` text NOT NULL,
	`body` blob NOT NULL,
	`hash` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `site_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`site_name` text,
	`time_zone` text,
	`default_locale` text,
	`accent_color` text,
	`accent_color_dark` text,
	`main_site_url` text,
	`support_url` text,
	`footer_text` text,
	`footer_text_ja` text,
	`custom_css` text,
	`updated_at` integer NOT NULL
);
