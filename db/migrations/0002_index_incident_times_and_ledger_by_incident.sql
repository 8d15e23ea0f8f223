CREATE INDEX `status_changes_incident` ON `component_status_changes` (`incident_id`);--> statement-breakpoint
CREATE INDEX `incidents_started` ON `incidents` (`started_at`);--> statement-breakpoint
CREATE INDEX `incidents_resolved` ON `incidents` (`resolved_at`);