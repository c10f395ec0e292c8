-- The server-side flow's states that have already had their callback: a state is good for one callback, on
-- every replica and across restarts. Only a SHA-256 of the state is kept, until the state would have expired.

CREATE TABLE used_login_states (
    state_hash  BLOB    PRIMARY KEY,
    expires_at  INTEGER NOT NULL                      -- seconds since 1970 (UTC); purged after this
) STRICT, WITHOUT ROWID;
