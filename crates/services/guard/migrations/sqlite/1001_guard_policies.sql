-- guard: policies (block / coach / log rules), one name per tenant.
CREATE TABLE guard_policies (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    rules        TEXT NOT NULL,
    enabled      BOOLEAN NOT NULL,
    priority     INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE INDEX guard_policies_order ON guard_policies(tenant_id, priority, created_at);
