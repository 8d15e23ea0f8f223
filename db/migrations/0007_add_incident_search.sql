-- Full-text search over incident names and update texts in every language
-- (the public history search). drizzle cannot describe virtual tables or
-- triggers, so this migration was generated empty (`--custom`) and written here.
--
-- One document per incident: its name with its translations, then every
-- update's text with its translations. Triggers write it again whenever one
-- of those texts changes. (A row per text would make a write cheaper, but a
-- common word would then match every update instead of every incident: ten
-- times the rows to sort and count on a long history.) The trigram tokenizer
-- matches any substring of three characters or more, in Japanese (no spaces
-- between words) as in English, and ignores case.
--
-- incident_search_ids gives each incident a stable integer for the index's
-- rowid: incidents are keyed by text, and implicit rowids may change on VACUUM.
CREATE TABLE `incident_search_ids` (
	`id` integer PRIMARY KEY NOT NULL,
	`incident_id` text NOT NULL UNIQUE
);
--> statement-breakpoint
CREATE VIRTUAL TABLE `incident_search` USING fts5(`body`, tokenize = 'trigram');
--> statement-breakpoint
CREATE VIEW `incident_search_text` AS
SELECT
	i.`id` AS `incident_id`,
	i.`name`
		|| coalesce(char(10) || (SELECT group_concat(t.`value`, char(10)) FROM json_tree(CASE WHEN json_valid(i.`translations`) THEN i.`translations` END) t WHERE t.`type` = 'text'), '')
		|| coalesce(char(10) || (
			SELECT group_concat(
				u.`body` || coalesce(char(10) || (SELECT group_concat(k.`value`, char(10)) FROM json_tree(CASE WHEN json_valid(u.`translations`) THEN u.`translations` END) k WHERE k.`type` = 'text'), ''),
				char(10))
			FROM `incident_updates` u WHERE u.`incident_id` = i.`id`
		), '') AS `body`
FROM `incidents` i;
--> statement-breakpoint
CREATE TRIGGER `incident_search_on_insert` AFTER INSERT ON `incidents` BEGIN
	INSERT INTO `incident_search_ids` (`incident_id`) VALUES (NEW.`id`);
	INSERT INTO `incident_search` (rowid, `body`)
		SELECT m.`id`, v.`body` FROM `incident_search_ids` m JOIN `incident_search_text` v ON v.`incident_id` = m.`incident_id` WHERE m.`incident_id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `incident_search_on_rename` AFTER UPDATE OF `name`, `translations` ON `incidents` BEGIN
	DELETE FROM `incident_search` WHERE rowid = (SELECT `id` FROM `incident_search_ids` WHERE `incident_id` = NEW.`id`);
	INSERT INTO `incident_search` (rowid, `body`)
		SELECT m.`id`, v.`body` FROM `incident_search_ids` m JOIN `incident_search_text` v ON v.`incident_id` = m.`incident_id` WHERE m.`incident_id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `incident_search_on_delete` AFTER DELETE ON `incidents` BEGIN
	DELETE FROM `incident_search` WHERE rowid = (SELECT `id` FROM `incident_search_ids` WHERE `incident_id` = OLD.`id`);
	DELETE FROM `incident_search_ids` WHERE `incident_id` = OLD.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `incident_search_on_update_insert` AFTER INSERT ON `incident_updates` BEGIN
	DELETE FROM `incident_search` WHERE rowid = (SELECT `id` FROM `incident_search_ids` WHERE `incident_id` = NEW.`incident_id`);
	INSERT INTO `incident_search` (rowid, `body`)
		SELECT m.`id`, v.`body` FROM `incident_search_ids` m JOIN `incident_search_text` v ON v.`incident_id` = m.`incident_id` WHERE m.`incident_id` = NEW.`incident_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `incident_search_on_update_edit` AFTER UPDATE OF `body`, `translations` ON `incident_updates` BEGIN
	DELETE FROM `incident_search` WHERE rowid = (SELECT `id` FROM `incident_search_ids` WHERE `incident_id` = NEW.`incident_id`);
	INSERT INTO `incident_search` (rowid, `body`)
		SELECT m.`id`, v.`body` FROM `incident_search_ids` m JOIN `incident_search_text` v ON v.`incident_id` = m.`incident_id` WHERE m.`incident_id` = NEW.`incident_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `incident_search_on_update_delete` AFTER DELETE ON `incident_updates` BEGIN
	DELETE FROM `incident_search` WHERE rowid = (SELECT `id` FROM `incident_search_ids` WHERE `incident_id` = OLD.`incident_id`);
	INSERT INTO `incident_search` (rowid, `body`)
		SELECT m.`id`, v.`body` FROM `incident_search_ids` m JOIN `incident_search_text` v ON v.`incident_id` = m.`incident_id` WHERE m.`incident_id` = OLD.`incident_id`;
END;
--> statement-breakpoint
INSERT INTO `incident_search_ids` (`incident_id`) SELECT `id` FROM `incidents` ORDER BY `started_at`, `id`;
--> statement-breakpoint
INSERT INTO `incident_search` (rowid, `body`)
	SELECT m.`id`, v.`body` FROM `incident_search_ids` m JOIN `incident_search_text` v ON v.`incident_id` = m.`incident_id`;
