-- netwatch: licences (agent enrolment), agents (devices), refresh tokens of the Supabase-style
-- login, alerts with their decision traces and proof-trail entries, the IP whitelist, rule
-- overrides and false-positive suppressions.
CREATE TABLE netwatch_licenses (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    key_hash    BLOB NOT NULL UNIQUE,
    key_prefix  TEXT NOT NULL,
    plan        TEXT NOT NULL,
    status      TEXT NOT NULL,
    expires_at  TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX netwatch_licenses_tenant ON netwatch_licenses(tenant_id);

CREATE TABLE netwatch_agents (
    id              BLOB PRIMARY KEY,
    tenant_id       BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    license_id      BLOB NOT NULL REFERENCES netwatch_licenses(id) ON DELETE CASCADE,
    agent_id        TEXT NOT NULL,
    hostname        TEXT NOT NULL,
    os_type         TEXT NOT NULL,
    agent_version   TEXT NOT NULL,
    last_ip         TEXT,
    stats           TEXT,
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    last_heartbeat  TEXT,
    UNIQUE (tenant_id, agent_id)
);

CREATE TABLE netwatch_refresh_tokens (
    token_hash  BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id     BLOB NOT NULL,
    email       TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX netwatch_refresh_tokens_user ON netwatch_refresh_tokens(user_id);

CREATE TABLE netwatch_alerts (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    agent        BLOB NOT NULL REFERENCES netwatch_agents(id) ON DELETE CASCADE,
    upload_id    TEXT NOT NULL,
    trace_id     BLOB NOT NULL UNIQUE,
    rule_name    TEXT NOT NULL,
    severity     TEXT NOT NULL,
    source_ip    TEXT NOT NULL,
    dest_ip      TEXT,
    port         INTEGER,
    protocol     TEXT NOT NULL,
    score        REAL NOT NULL,
    ts           INTEGER NOT NULL,
    first_seen   REAL NOT NULL,
    status       TEXT NOT NULL,
    notes        TEXT,
    summary      TEXT NOT NULL,
    mitre        TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    thresholds   TEXT NOT NULL,
    shap_json    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    triaged_at   TEXT,
    resolved_at  TEXT,
    UNIQUE (tenant_id, agent, upload_id)
);
CREATE INDEX netwatch_alerts_tenant_ts ON netwatch_alerts(tenant_id, ts);

CREATE TABLE netwatch_trail_entries (
    trace_id     BLOB NOT NULL REFERENCES netwatch_alerts(trace_id) ON DELETE CASCADE,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    data         TEXT NOT NULL,
    canonical    TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    PRIMARY KEY (trace_id, seq)
);

CREATE TABLE netwatch_whitelist (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    cidr        TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (tenant_id, cidr)
);

CREATE TABLE netwatch_rule_overrides (
    tenant_id   BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    rule_name   TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    thresholds  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, rule_name)
);

CREATE TABLE netwatch_suppressions (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    alert_id    BLOB NOT NULL REFERENCES netwatch_alerts(id) ON DELETE CASCADE,
    rule_name   TEXT NOT NULL,
    source_ip   TEXT NOT NULL,
    dest_ip     TEXT,
    until       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX netwatch_suppressions_tenant ON netwatch_suppressions(tenant_id, until);
