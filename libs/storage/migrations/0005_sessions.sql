-- Sign-in sessions: an opaque bearer token per session, stored only as its SHA-256 (the token is
-- 256 random bits, so a fast hash is enough; a leaked table cannot be replayed). An OIDC provider
-- can replace sign-in later and still issue these sessions.
CREATE TABLE sessions (
  token_hash  text PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  ip          text
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
