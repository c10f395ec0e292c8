-- Two changes for the second review (issue 20).
-- A Kakao id_token logs in once: its SHA-256 joins the server-side flow's used states, until it would have
-- expired anyway. The table now holds both kinds, so it is renamed for what it holds (a state and a JWS never
-- share a hash: a state has no dots).
ALTER TABLE used_login_states RENAME TO used_credentials;
ALTER TABLE used_credentials RENAME COLUMN state_hash TO credential_hash;

-- An erasure is recorded before Kakao is told (DELETE /auth/account): when it is interrupted after Kakao's
-- unlink (a crash, the database gone), the purge finishes it, since Kakao sends no webhook for an unlink we made.
ALTER TABLE users ADD COLUMN erasure_requested_at INTEGER;  -- seconds since 1970 (UTC); NULL: none pending
