-- Shared platform tables: tenants, users, per-service roles, API keys, audit log, jobs.
CREATE TABLE tenants (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id             BLOB PRIMARY KEY,
    tenant_id      BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'active',
    created_at     TEXT NOT NULL
);
CREATE INDEX users_tenant ON users(tenant_id);

CREATE TABLE user_roles (
    user_id  BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    service  TEXT NOT NULL,
    role     TEXT NOT NULL,
    PRIMARY KEY (user_id, service)
);

CREATE TABLE api_keys (
    id            BLOB PRIMARY KEY,
    tenant_id     BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    service       TEXT NOT NULL,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    key_hash      BLOB NOT NULL UNIQUE,
    created_by    BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id, service);

CREATE TABLE audit_log (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    occurred_at  TEXT NOT NULL,
    service      TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    target       TEXT NOT NULL,
    details      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    UNIQUE (tenant_id, seq)
);

-- Append-only: rows are never edited. (Deletion happens only with the whole tenant.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE jobs (
    id                BLOB PRIMARY KEY,
    queue             TEXT NOT NULL,
    tenant_id         BLOB REFERENCES tenants(id) ON DELETE CASCADE,
    payload           TEXT NOT NULL,
    status            TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    max_attempts      INTEGER NOT NULL,
    max_run_seconds   INTEGER,
    run_at            TEXT NOT NULL,
    locked_by         TEXT,
    heartbeat_at      TEXT,
    cancel_requested  BOOLEAN NOT NULL DEFAULT FALSE,
    last_error        TEXT,
    result            TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    finished_at       TEXT
);
CREATE INDEX jobs_claim ON jobs(status, queue, run_at);
