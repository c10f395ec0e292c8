-- As migrations/sqlite/0009: roles and app metadata, and their audit event kinds. Text, not jsonb: a token
-- embeds exactly the compact form the service wrote.
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN app_metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE auth_events DROP CONSTRAINT auth_events_kind;
ALTER TABLE auth_events ADD CONSTRAINT auth_events_kind CHECK (kind IN ('registration', 'login', 'refresh',
    'refresh_reuse_detected', 'logout', 'logout_all', 'unlink', 'webhook_unlink', 'foreign_token_refused',
    'refresh_within_reuse_interval', 'account_erasure_requested', 'account_disabled', 'account_enabled',
    'login_refused_disabled', 'session_revoked', 'sessions_revoked', 'account_erased', 'roles_changed',
    'app_metadata_changed'));
