-- vision: each tenant's face allowlist (an enrolled face's SFace embedding, kept until the tenant
-- deletes it: the one biometric template vision stores, on purpose) and per-tenant settings.
CREATE TABLE vision_allowlist (
    id          TEXT PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    embedding   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX vision_allowlist_tenant ON vision_allowlist(tenant_id, created_at);

CREATE TABLE vision_settings (
    tenant_id                BLOB PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    face_attributes_enabled  BOOLEAN NOT NULL,
    updated_at               TEXT NOT NULL
);
