-- A new audit event kind (issue 24): one of Kakao's account status signals (a Security Event Token) applied
-- to an account. SQLite cannot change a CHECK constraint in place, so the table is rebuilt with its rows, as in
-- 0004, 0006, 0008 and 0009.
CREATE TABLE auth_events_new (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,                     -- seconds since 1970 (UTC)
    kind        TEXT    NOT NULL CHECK (kind IN ('registration', 'login', 'refresh', 'refresh_reuse_detected',
                                                 'logout', 'logout_all', 'unlink', 'webhook_unlink',
                                                 'foreign_token_refused', 'refresh_within_reuse_interval',
                                                 'account_erasure_requested', 'account_disabled', 'account_enabled',
                                                 'login_refused_disabled', 'session_revoked', 'sessions_revoked',
                                                 'account_erased', 'roles_changed', 'app_metadata_changed',
                                                 'kakao_signal')),
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
