-- netwatch: the tenant's NIS2/GDPR settings (compliance checks and report headers), its Stripe
-- billing state, and which alerts are detection self-tests.
CREATE TABLE netwatch_settings (
    tenant_id                 BLOB PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    entity_name               TEXT,
    entity_type               TEXT,
    sector                    TEXT,
    member_state              TEXT,
    csirt_contact             TEXT,
    dpo_contact               TEXT,
    irp_reference             TEXT,
    irp_reviewed_at           TEXT,
    supply_chain_assessed     INTEGER NOT NULL DEFAULT 0,
    supply_chain_assessed_at  TEXT,
    mfa_enforced              INTEGER NOT NULL DEFAULT 0,
    mfa_attested_at           TEXT,
    updated_by                TEXT NOT NULL,
    updated_at                TEXT NOT NULL
);

CREATE TABLE netwatch_billing (
    tenant_id           BLOB PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    stripe_customer_id  TEXT NOT NULL,
    subscription_id     TEXT,
    plan                TEXT,
    billing_cycle       TEXT,
    status              TEXT,
    current_period_end  TEXT,
    updated_at          TEXT NOT NULL
);

ALTER TABLE netwatch_alerts ADD COLUMN self_test INTEGER NOT NULL DEFAULT 0;
