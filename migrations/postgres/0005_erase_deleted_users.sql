-- Erased accounts keep only kind, time and ids in the audit log; as migrations/sqlite/0005.

UPDATE auth_events SET client_ip = NULL, user_agent = NULL, detail = NULL
WHERE user_id IS NOT NULL AND user_id NOT IN (SELECT id FROM users);
