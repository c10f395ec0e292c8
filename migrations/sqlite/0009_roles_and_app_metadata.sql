-- What operators let a user do, carried in every access token (issue 23): roles, comma-separated ('' for
-- none; no role name holds a comma), and app metadata, a JSON object in its compact form.
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN app_metadata TEXT NOT NULL DEFAULT '{}';

-- New audit event kinds: roles or app metadata set by an operator. SQLite cannot change a CHECK constraint in
-- place, so the table is rebuilt with its rows, as in 0004, 0006 and 0008.
CREATE TABLE auth_events_new (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,                     -- seconds since 1970 (UTC)
    kind        TEXT    NOT NULL CHECK (kind IN ('registration', 'login', 'refresh', 'refresh_reuse_detected',
                                                 'logout', 'logout_all', 'unlink', 'webhook_unlink',
                                                 'foreign_token_refused', 'refresh_within_reuse_interval',
                                                 'account_erasure_requested', 'account_disabled', 'account_enabled',
                                                 'login_refused_disabled', 'session_revoked', 'sessions_revoked',
                                                 'account_erased', 'roles_changed', 'app_metadata_changed')),
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
