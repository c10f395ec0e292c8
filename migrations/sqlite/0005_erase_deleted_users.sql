-- Deleting an account now erases what the audit log knew about the person (address, user agent, the Kakao id
-- in a detail), keeping only kind, time and opaque ids. Accounts deleted before this version get the same.

UPDATE auth_events SET client_ip = NULL, user_agent = NULL, detail = NULL
WHERE user_id IS NOT NULL AND user_id NOT IN (SELECT id FROM users);
