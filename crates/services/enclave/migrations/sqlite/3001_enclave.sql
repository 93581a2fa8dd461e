-- enclave: customers (one platform tenant each, keyed by an nrx_live_ API key), sessions,
-- destruction proofs and the per-session public keys that signed them.
CREATE TABLE enclave_customers (
    id            TEXT PRIMARY KEY,
    tenant_id     BLOB NOT NULL UNIQUE REFERENCES tenants(id) ON DELETE CASCADE,
    email         TEXT NOT NULL UNIQUE,
    jurisdiction  TEXT NOT NULL,
    tier          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE enclave_sessions (
    id                   TEXT PRIMARY KEY,
    customer_id          TEXT NOT NULL REFERENCES enclave_customers(id) ON DELETE CASCADE,
    node                 TEXT NOT NULL,
    status               TEXT NOT NULL,
    data_classification  TEXT NOT NULL,
    ttl_seconds          INTEGER NOT NULL,
    created_at           TEXT NOT NULL,
    expires_at           TEXT NOT NULL,
    destroyed_at         TEXT
);
CREATE INDEX enclave_sessions_customer ON enclave_sessions(customer_id, status);
CREATE INDEX enclave_sessions_node ON enclave_sessions(node, status);

CREATE TABLE enclave_proofs (
    session_id   TEXT PRIMARY KEY REFERENCES enclave_sessions(id) ON DELETE CASCADE,
    customer_id  TEXT NOT NULL,
    document     TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    clean        INTEGER NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX enclave_proofs_customer ON enclave_proofs(customer_id, created_at);

CREATE TABLE enclave_keys (
    key_id      TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL,
    algorithm   TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
