-- guard: policies (block / coach / log rules), one name per tenant.
CREATE TABLE guard_policies (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    rules        TEXT NOT NULL,
    enabled      BOOLEAN NOT NULL,
    priority     INTEGER NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE INDEX guard_policies_order ON guard_policies(tenant_id, priority, created_at);
