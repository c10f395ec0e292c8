-- A new audit event kind, `foreign_token_refused`; as migrations/sqlite/0004 (PostgreSQL changes the CHECK in place).

ALTER TABLE auth_events DROP CONSTRAINT auth_events_kind;
ALTER TABLE auth_events ADD CONSTRAINT auth_events_kind CHECK (kind IN ('registration', 'login', 'refresh',
    'refresh_reuse_detected', 'logout', 'logout_all', 'unlink', 'webhook_unlink', 'foreign_token_refused'));
