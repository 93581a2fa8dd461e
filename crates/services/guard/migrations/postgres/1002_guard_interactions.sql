-- guard: interactions (hash, masked findings, decision — never raw text), their finding types,
-- alerts, webhooks, per-tenant settings, and who invited whom.
CREATE TABLE guard_interactions (
    id                    UUID PRIMARY KEY,
    tenant_id             UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    platform_id           TEXT NOT NULL,
    interaction_type      TEXT NOT NULL,
    content_hash          TEXT NOT NULL,
    content_metadata      TEXT NOT NULL,
    classifications       TEXT NOT NULL,
    classification_count  BIGINT NOT NULL,
    risk_score            DOUBLE PRECISION NOT NULL,
    risk_band             TEXT NOT NULL,
    direction             TEXT NOT NULL,
    source                TEXT NOT NULL,
    user_id               UUID,
    action                TEXT NOT NULL,
    policy_id             UUID,
    decision              TEXT NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX guard_interactions_time ON guard_interactions(tenant_id, created_at);
CREATE INDEX guard_interactions_platform ON guard_interactions(tenant_id, platform_id, created_at);

CREATE TABLE guard_findings (
    interaction_id  UUID NOT NULL REFERENCES guard_interactions(id) ON DELETE CASCADE,
    tenant_id       UUID NOT NULL,
    kind            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX guard_findings_tenant ON guard_findings(tenant_id, created_at);

CREATE TABLE guard_alerts (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    interaction_id  UUID NOT NULL REFERENCES guard_interactions(id) ON DELETE CASCADE,
    severity        TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    title           TEXT NOT NULL,
    platform_id     TEXT NOT NULL,
    user_id         UUID,
    action          TEXT NOT NULL,
    risk_score      DOUBLE PRECISION NOT NULL,
    policy_id       UUID,
    status          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX guard_alerts_time ON guard_alerts(tenant_id, created_at);

CREATE TABLE guard_webhooks (
    id                TEXT PRIMARY KEY,
    tenant_id         UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    url               TEXT NOT NULL,
    events            TEXT NOT NULL,
    description       TEXT NOT NULL,
    active            BOOLEAN NOT NULL,
    headers           TEXT NOT NULL,
    auth_token        TEXT NOT NULL,
    signing_secret    TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX guard_webhooks_tenant ON guard_webhooks(tenant_id, created_at);

CREATE TABLE guard_tenant_settings (
    tenant_id                 UUID PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    domain                    TEXT NOT NULL,
    data_residency            TEXT NOT NULL,
    audit_log_retention_days  INTEGER NOT NULL,
    ip_whitelist              TEXT NOT NULL,
    webhook_signing_secret    TEXT NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL
);

ALTER TABLE users ADD COLUMN invited_by TEXT;
