-- Webhook subscriptions of every service (guard's moved here from guard_webhooks; vision and
-- testops reuse the same table). Secrets are sealed with the master key.
CREATE TABLE webhook_subscriptions (
    id                TEXT PRIMARY KEY,
    tenant_id         UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    service           TEXT NOT NULL,
    url               TEXT NOT NULL,
    events            TEXT NOT NULL,
    description       TEXT NOT NULL,
    active            BOOLEAN NOT NULL,
    headers           TEXT NOT NULL,
    auth_token        TEXT NOT NULL,
    signing_secret    TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions(tenant_id, service, created_at);
