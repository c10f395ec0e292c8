-- As migrations/sqlite/0010: the audit event kind of Kakao's account status signals.
ALTER TABLE auth_events DROP CONSTRAINT auth_events_kind;
ALTER TABLE auth_events ADD CONSTRAINT auth_events_kind CHECK (kind IN ('registration', 'login', 'refresh',
    'refresh_reuse_detected', 'logout', 'logout_all', 'unlink', 'webhook_unlink', 'foreign_token_refused',
    'refresh_within_reuse_interval', 'account_erasure_requested', 'account_disabled', 'account_enabled',
    'login_refused_disabled', 'session_revoked', 'sessions_revoked', 'account_erased', 'roles_changed',
    'app_metadata_changed', 'kakao_signal'));
