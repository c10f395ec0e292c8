-- Users, their sessions and the refresh tokens of each session; as migrations/sqlite/0001. Times are seconds
-- since 1970 (UTC). Statements end with a semicolon at the end of a line (the runner splits there).

CREATE TABLE users (
    id                  TEXT    PRIMARY KEY,          -- our opaque id, the `sub` of every token
    kakao_id            BIGINT  NOT NULL UNIQUE,      -- Kakao's 64-bit user id
    nickname            TEXT,
    email               TEXT,
    email_verified      BOOLEAN NOT NULL DEFAULT FALSE,
    profile_image_url   TEXT,
    thumbnail_image_url TEXT,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    last_login_at       BIGINT  NOT NULL
);

CREATE TABLE sessions (
    id                  TEXT    PRIMARY KEY,          -- the `sid` claim
    user_id             TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at          BIGINT  NOT NULL,
    expires_at          BIGINT  NOT NULL,             -- no token of the session outlives this
    current_refresh_jti TEXT    NOT NULL,             -- the one refresh token that may rotate
    revoked_at          BIGINT,
    revoked_reason      TEXT
);

CREATE INDEX sessions_by_user ON sessions (user_id);

-- One row per refresh token ever issued, identified by its `jti` (the token itself is never stored).
CREATE TABLE refresh_tokens (
    jti                 TEXT    PRIMARY KEY,
    session_id          TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    parent_jti          TEXT,                         -- the token this one replaced
    issued_at           BIGINT  NOT NULL,
    expires_at          BIGINT  NOT NULL,
    rotated_at          BIGINT                        -- set once, when it is exchanged for its successor
);

CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
