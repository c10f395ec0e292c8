-- The audit log; as migrations/sqlite/0002. Rows outlive their users (no foreign key), so an unlink stays on
-- record.

CREATE TABLE auth_events (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT  NOT NULL,                     -- seconds since 1970 (UTC)
    kind        TEXT    NOT NULL CONSTRAINT auth_events_kind CHECK (kind IN ('registration', 'login', 'refresh',
                            'refresh_reuse_detected', 'logout', 'logout_all', 'unlink', 'webhook_unlink')),
    user_id     TEXT,
    session_id  TEXT,
    client_ip   TEXT,
    user_agent  TEXT,
    detail      TEXT
);

CREATE INDEX auth_events_by_user ON auth_events (user_id, at);
