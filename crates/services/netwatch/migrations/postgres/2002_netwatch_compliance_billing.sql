-- netwatch: the tenant's NIS2/GDPR settings (compliance checks and report headers), its Stripe
-- billing state, and which alerts are detection self-tests.
CREATE TABLE netwatch_settings (
    tenant_id                 UUID PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    entity_name               TEXT,
    entity_type               TEXT,
    sector                    TEXT,
    member_state              TEXT,
    csirt_contact             TEXT,
    dpo_contact               TEXT,
    irp_reference             TEXT,
    irp_reviewed_at           TIMESTAMPTZ,
    supply_chain_assessed     BOOLEAN NOT NULL DEFAULT FALSE,
    supply_chain_assessed_at  TIMESTAMPTZ,
    mfa_enforced              BOOLEAN NOT NULL DEFAULT FALSE,
    mfa_attested_at           TIMESTAMPTZ,
    updated_by                TEXT NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL
);

CREATE TABLE netwatch_billing (
    tenant_id           UUID PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    stripe_customer_id  TEXT NOT NULL,
    subscription_id     TEXT,
    plan                TEXT,
    billing_cycle       TEXT,
    status              TEXT,
    current_period_end  TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ NOT NULL
);

ALTER TABLE netwatch_alerts ADD COLUMN self_test BOOLEAN NOT NULL DEFAULT FALSE;
