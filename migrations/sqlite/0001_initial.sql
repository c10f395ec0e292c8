-- Users, their sessions and the refresh tokens of each session. Times are seconds since 1970 (UTC).

CREATE TABLE users (
    id                  TEXT    PRIMARY KEY,          -- our opaque id, the `sub` of every token
    kakao_id            INTEGER NOT NULL UNIQUE,      -- Kakao's 64-bit user id
    nickname            TEXT,
    email               TEXT,
    email_verified      INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    profile_image_url   TEXT,
    thumbnail_image_url TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    last_login_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    id                  TEXT    PRIMARY KEY,          -- the `sid` claim
    user_id             TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,             -- no token of the session outlives this
    current_refresh_jti TEXT    NOT NULL,             -- the one refresh token that may rotate
    revoked_at          INTEGER,
    revoked_reason      TEXT
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id);

-- One row per refresh token ever issued, identified by its `jti` (the token itself is never stored).
CREATE TABLE refresh_tokens (
    jti                 TEXT    PRIMARY KEY,
    session_id          TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    parent_jti          TEXT,                         -- the token this one replaced
    issued_at           INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    rotated_at          INTEGER                       -- set once, when it is exchanged for its successor
) STRICT;

CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
