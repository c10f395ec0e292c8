-- The audit log: who did what, when, from where. Never tokens, codes or secrets. Rows outlive their users
-- (no foreign key), so an unlink stays on record.

CREATE TABLE auth_events (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,                     -- seconds since 1970 (UTC)
    kind        TEXT    NOT NULL CHECK (kind IN ('registration', 'login', 'refresh', 'refresh_reuse_detected',
                                                 'logout', 'logout_all', 'unlink', 'webhook_unlink')),
    user_id     TEXT,
    session_id  TEXT,
    client_ip   TEXT,
    user_agent  TEXT,
    detail      TEXT
) STRICT;

CREATE INDEX auth_events_by_user ON auth_events (user_id, at);
