-- Entries written before audit entries carried their audience: the same
-- action prefixes as src/lib/audit/audit-audience.ts are admins' only.
UPDATE `audit_log` SET `audience` = 'admins'
WHERE substr(`action`, 1, instr(`action`, '.') - 1) IN ('user', 'token', 'subscriber', 'webhook', 'chat', 'settings', 'import', 'check');
