-- As migrations/sqlite/0007: id_tokens join the used login states, and an erasure's intent is recorded.
ALTER TABLE used_login_states RENAME TO used_credentials;
ALTER TABLE used_credentials RENAME COLUMN state_hash TO credential_hash;
ALTER TABLE users ADD COLUMN erasure_requested_at BIGINT;
