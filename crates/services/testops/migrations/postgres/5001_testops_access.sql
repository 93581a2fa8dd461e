-- testops: organisations (one per platform tenant, with the contract's 24-hex id, plan and
-- settings), members (the contract's user ids over platform users), login failures (the
-- lockout), revoked tokens (logout), API key ids, invitations, monthly usage counters, projects
-- and their environment variables.
CREATE TABLE testops_orgs (
    id                   TEXT PRIMARY KEY,
    tenant_id            UUID NOT NULL UNIQUE REFERENCES tenants(id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    slug                 TEXT NOT NULL,
    plan                 TEXT NOT NULL,
    ai_analysis_enabled  BOOLEAN NOT NULL DEFAULT TRUE,
    test_cases_enabled   BOOLEAN NOT NULL DEFAULT TRUE,
    test_cycles_enabled  BOOLEAN NOT NULL DEFAULT TRUE,
    ai_features          TEXT NOT NULL,
    ai_default_model     TEXT NOT NULL,
    byok                 TEXT NOT NULL,
    slack_webhook_url    TEXT,
    slack_events         TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE testops_members (
    id             TEXT PRIMARY KEY,
    user_id        UUID NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    tenant_id      UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    last_login_at  TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX testops_members_tenant ON testops_members(tenant_id);

CREATE TABLE testops_login_failures (
    email      TEXT NOT NULL,
    failed_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX testops_login_failures_email ON testops_login_failures(email, failed_at);

CREATE TABLE testops_revoked_tokens (
    jti         TEXT PRIMARY KEY,
    user_id     UUID NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE testops_api_keys (
    id          TEXT PRIMARY KEY,
    api_key_id  UUID NOT NULL UNIQUE REFERENCES api_keys(id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL REFERENCES testops_members(id) ON DELETE CASCADE
);

CREATE TABLE testops_invitations (
    id           TEXT PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL,
    token_hash   BYTEA NOT NULL UNIQUE,
    invited_by   TEXT REFERENCES testops_members(id) ON DELETE SET NULL,
    status       TEXT NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    accepted_at  TIMESTAMPTZ
);
CREATE INDEX testops_invitations_tenant ON testops_invitations(tenant_id, status);

CREATE TABLE testops_usage (
    tenant_id  UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    test_runs  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, period)
);

CREATE TABLE testops_projects (
    id                       TEXT PRIMARY KEY,
    tenant_id                UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name                     TEXT NOT NULL,
    slug                     TEXT NOT NULL,
    docker_image             TEXT,
    target_urls              TEXT NOT NULL,
    default_test_folder      TEXT NOT NULL,
    auto_quarantine_enabled  BOOLEAN NOT NULL DEFAULT FALSE,
    network                  TEXT NOT NULL,
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, slug)
);

CREATE TABLE testops_env_vars (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES testops_projects(id) ON DELETE CASCADE,
    tenant_id   UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    is_secret   BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (project_id, key)
);
