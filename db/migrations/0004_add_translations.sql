ALTER TABLE `component_groups` ADD `translations` text;--> statement-breakpoint
ALTER TABLE `components` ADD `translations` text;--> statement-breakpoint
ALTER TABLE `incident_updates` ADD `translations` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `translations` text;