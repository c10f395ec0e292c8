-- Accounts an operator (or, later, Kakao's account-status signals) can disable, and sessions a user can
-- recognise (issue 22).

-- Who disabled the account, when and why; all NULL while it is active. `disabled_by` is `admin:NAME` or `kakao`.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;        -- seconds since 1970 (UTC)
ALTER TABLE users ADD COLUMN disabled_reason TEXT;
ALTER TABLE users ADD COLUMN disabled_by TEXT;
-- The admin API lists users newest registration first, a page at a time from a cursor.
CREATE INDEX users_by_registration ON users (created_at, id);

-- When a session was last used (its last rotation), and the user agent and address that opened it. Sessions
-- opened before this version were last used when their current refresh token was issued.
ALTER TABLE sessions ADD COLUMN last_used_at INTEGER;    -- seconds since 1970 (UTC)
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN client_ip TEXT;
UPDATE sessions SET last_used_at = COALESCE((SELECT issued_at FROM refresh_tokens WHERE jti = sessions.current_refresh_jti), created_at);

-- New audit event kinds: an account disabled or enabled, a disabled account's refused login, sessions revoked
-- by an operator or by their user, and an account erased by an operator. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt with its rows, as in 0004 and 0006.
CREATE TABLE auth_events_new (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,                     -- seconds since 1970 (UTC)
    kind        TEXT    NOT NULL CHECK (kind IN ('registration', 'login', 'refresh', 'refresh_reuse_detected',
                                                 'logout', 'logout_all', 'unlink', 'webhook_unlink',
                                                 'foreign_token_refused', 'refresh_within_reuse_interval',
                                                 'account_erasure_requested', 'account_disabled', 'account_enabled',
                                                 'login_refused_disabled', 'session_revoked', 'sessions_revoked',
                                                 'account_erased')),
    user_id     TEXT,
    session_id  TEXT,
    client_ip   TEXT,
    user_agent  TEXT,
    detail      TEXT
) STRICT;

INSERT INTO auth_events_new (id, at, kind, user_id, session_id, client_ip, user_agent, detail)
    SELECT id, at, kind, user_id, session_id, client_ip, user_agent, detail FROM auth_events;
DROP TABLE auth_events;
ALTER TABLE auth_events_new RENAME TO auth_events;
CREATE INDEX auth_events_by_user ON auth_events (user_id, at);
