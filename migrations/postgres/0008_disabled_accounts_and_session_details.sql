-- As migrations/sqlite/0008: disabled accounts, what a session remembers, and the new audit event kinds.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
ALTER TABLE users ADD COLUMN disabled_reason TEXT;
ALTER TABLE users ADD COLUMN disabled_by TEXT;
CREATE INDEX users_by_registration ON users (created_at, id);
ALTER TABLE sessions ADD COLUMN last_used_at BIGINT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN client_ip TEXT;
UPDATE sessions SET last_used_at = COALESCE((SELECT issued_at FROM refresh_tokens WHERE jti = sessions.current_refresh_jti), created_at);
ALTER TABLE auth_events DROP CONSTRAINT auth_events_kind;
ALTER TABLE auth_events ADD CONSTRAINT auth_events_kind CHECK (kind IN ('registration', 'login', 'refresh',
    'refresh_reuse_detected', 'logout', 'logout_all', 'unlink', 'webhook_unlink', 'foreign_token_refused',
    'refresh_within_reuse_interval', 'account_erasure_requested', 'account_disabled', 'account_enabled',
    'login_refused_disabled', 'session_revoked', 'sessions_revoked', 'account_erased'));
