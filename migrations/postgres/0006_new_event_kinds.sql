-- Two new audit event kinds, `refresh_within_reuse_interval` and `account_erasure_requested`; as
-- migrations/sqlite/0006.

ALTER TABLE auth_events DROP CONSTRAINT auth_events_kind;
ALTER TABLE auth_events ADD CONSTRAINT auth_events_kind CHECK (kind IN ('registration', 'login', 'refresh',
    'refresh_reuse_detected', 'logout', 'logout_all', 'unlink', 'webhook_unlink', 'foreign_token_refused',
    'refresh_within_reuse_interval', 'account_erasure_requested'));
