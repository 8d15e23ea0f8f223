-- Updates the maintenance timers and the cancel button wrote as English
-- sentences are shown through the catalogs from now on, in the reader's language.
UPDATE `incident_updates` SET `body_key` = 'maintenance_started', `body` = '' WHERE `body_key` IS NULL AND `body` = 'Scheduled maintenance has begun. Affected services may be unavailable until the window ends.';
--> statement-breakpoint
UPDATE `incident_updates` SET `body_key` = 'maintenance_completed', `body` = '' WHERE `body_key` IS NULL AND `body` = 'Scheduled maintenance has been completed. All affected services are back in operation.';
--> statement-breakpoint
UPDATE `incident_updates` SET `body_key` = 'maintenance_cancelled', `body` = '' WHERE `body_key` IS NULL AND `body` = 'This maintenance has been cancelled. Nothing will change during the announced window.';
