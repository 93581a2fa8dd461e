//! guard_alerts: alerts raised by block/coach decisions and high or critical risk. They are
//! written in the same transaction as the interaction that raised them (`insert_alert!`).

use anyhow::Context;
use platform::http::pagination::Page;
use platform::store::{fetch_page, Filter};

use super::GuardStore;
use crate::model::alert::AlertRow;

macro_rules! columns {
    () => {
        "id, tenant_id, interaction_id, severity, reasons, title, platform_id, user_id, action, risk_score, \
         policy_id, status, created_at"
    };
}

pub(super) const INSERT_ALERT: &str = concat!(
    "INSERT INTO guard_alerts (",
    columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
);

/// The INSERT of one alert, bound and run on `$tx` (the interaction's transaction).
macro_rules! insert_alert {
    ($tx:expr, $a:expr) => {{
        let a = $a;
        sqlx::query($crate::store::alerts::INSERT_ALERT)
            .bind(a.id)
            .bind(a.tenant_id)
            .bind(a.interaction_id)
            .bind(&a.severity)
            .bind(&a.reasons)
            .bind(&a.title)
            .bind(&a.platform_id)
            .bind(a.user_id)
            .bind(&a.action)
            .bind(a.risk_score)
            .bind(a.policy_id)
            .bind(&a.status)
            .bind(a.created_at)
            .execute(&mut *$tx)
            .await
    }};
}
pub(super) use insert_alert;

impl GuardStore {
    /// One page of the alerts matching `filter` (on guard_alerts' columns), newest first.
    pub async fn alerts_page(
        &self,
        filter: &Filter,
        page: Page,
    ) -> anyhow::Result<(Vec<AlertRow>, u64)> {
        let select = concat!("SELECT ", columns!(), " FROM guard_alerts");
        let order = "created_at DESC, id DESC";
        fetch_page(&self.db, select, "FROM guard_alerts", filter, order, page)
            .await
            .context("listing alerts")
    }
}
