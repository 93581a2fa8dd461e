//! `testops_orgs` (one organisation per tenant: plan, features, AI and Slack settings) and
//! `testops_usage` (test runs per tenant and calendar month).

use anyhow::Context;
use platform::on_db;
use uuid::Uuid;

use super::TestopsStore;
use crate::model::rows::OrgRow;

macro_rules! org_columns {
    () => {
        "id, tenant_id, name, slug, plan, ai_analysis_enabled, test_cases_enabled, test_cycles_enabled, \
         ai_features, ai_default_model, byok, slack_webhook_url, slack_events, created_at, updated_at"
    };
}

/// A new organisation's first settings.
pub struct NewOrg<'a> {
    pub tenant_id: Uuid,
    pub name: &'a str,
    pub plan: &'a str,
}

/// The settings an update writes (each `None` keeps what is stored; the inner `None` of
/// `slack_webhook_url` clears it).
#[derive(Default)]
pub struct OrgUpdate {
    pub name: Option<String>,
    pub ai_analysis_enabled: Option<bool>,
    pub slack_webhook_url: Option<Option<String>>,
    pub slack_events: Option<String>,
    pub test_cases_enabled: Option<bool>,
    pub test_cycles_enabled: Option<bool>,
    pub ai_features: Option<String>,
    pub ai_default_model: Option<String>,
    pub byok: Option<String>,
}

impl TestopsStore {
    /// The tenant's organisation, created on first use (users made with `redoubt admin` have none yet).
    pub async fn ensure_org(&self, new: NewOrg<'_>) -> anyhow::Result<OrgRow> {
        if let Some(org) = self.org(new.tenant_id).await? {
            return Ok(org);
        }
        let now = platform::store::now();
        let sql = "INSERT INTO testops_orgs (id, tenant_id, name, slug, plan, ai_features, ai_default_model, byok, slack_events, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, '{}', 'gemini-2.5-flash', '{}', '[\"FAILED\",\"ERROR\",\"UNSTABLE\"]', $6, $6) \
                   ON CONFLICT (tenant_id) DO NOTHING";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(crate::model::id::new_id())
            .bind(new.tenant_id)
            .bind(new.name)
            .bind(crate::model::slug::slugify(new.name))
            .bind(new.plan)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()))
        .context("creating the organisation")?;
        self.org(new.tenant_id)
            .await?
            .context("the organisation vanished")
    }

    pub async fn org(&self, tenant_id: Uuid) -> anyhow::Result<Option<OrgRow>> {
        let sql = concat!(
            "SELECT ",
            org_columns!(),
            " FROM testops_orgs WHERE tenant_id = $1"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading the organisation")
    }

    /// Writes the given settings; returns the organisation as stored afterwards.
    pub async fn update_org(
        &self,
        tenant_id: Uuid,
        u: OrgUpdate,
    ) -> anyhow::Result<Option<OrgRow>> {
        let (slack_set, slack) = match u.slack_webhook_url {
            Some(value) => (true, value),
            None => (false, None),
        };
        let sql = "UPDATE testops_orgs SET \
                   name = COALESCE($2, name), \
                   slug = COALESCE($3, slug), \
                   ai_analysis_enabled = COALESCE($4, ai_analysis_enabled), \
                   slack_webhook_url = CASE WHEN $5 THEN $6 ELSE slack_webhook_url END, \
                   slack_events = COALESCE($7, slack_events), \
                   test_cases_enabled = COALESCE($8, test_cases_enabled), \
                   test_cycles_enabled = COALESCE($9, test_cycles_enabled), \
                   ai_features = COALESCE($10, ai_features), \
                   ai_default_model = COALESCE($11, ai_default_model), \
                   byok = COALESCE($12, byok), \
                   updated_at = $13 \
                   WHERE tenant_id = $1";
        let slug = u.name.as_deref().map(crate::model::slug::slugify);
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(tenant_id)
            .bind(&u.name)
            .bind(&slug)
            .bind(u.ai_analysis_enabled)
            .bind(slack_set)
            .bind(&slack)
            .bind(&u.slack_events)
            .bind(u.test_cases_enabled)
            .bind(u.test_cycles_enabled)
            .bind(&u.ai_features)
            .bind(&u.ai_default_model)
            .bind(&u.byok)
            .bind(platform::store::now())
            .execute(p)
            .await
            .map(|_| ()))
        .context("updating the organisation")?;
        self.org(tenant_id).await
    }

    /// Test runs counted for the tenant in `period` (`YYYY-MM`, UTC).
    pub async fn test_runs_in(&self, tenant_id: Uuid, period: &str) -> anyhow::Result<i64> {
        let sql = "SELECT test_runs FROM testops_usage WHERE tenant_id = $1 AND period = $2";
        let row: Option<(i64,)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(period)
            .fetch_optional(p)
            .await)
        .context("reading usage")?;
        Ok(row.map_or(0, |(n,)| n))
    }
}
