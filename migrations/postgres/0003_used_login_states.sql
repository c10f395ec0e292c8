-- The server-side flow's states that have already had their callback; as migrations/sqlite/0003.

CREATE TABLE used_login_states (
    state_hash  BYTEA   PRIMARY KEY,
    expires_at  BIGINT  NOT NULL                      -- seconds since 1970 (UTC); purged after this
);
