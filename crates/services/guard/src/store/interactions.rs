//! guard_interactions and guard_findings: interactions with their finding types, and the
//! alerts they raised, written in one transaction per request (a batch is all or nothing).

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::http::pagination::Page;
use platform::on_db;
use platform::store::{fetch_page, Filter};
use uuid::Uuid;

use super::alerts::insert_alert;
use super::GuardStore;
use crate::model::alert::AlertRow;
use crate::model::interaction::Interaction;

#[derive(Debug, sqlx::FromRow)]
pub struct InteractionRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub platform_id: String,
    pub interaction_type: String,
    pub content_hash: String,
    pub content_metadata: String,
    pub classifications: String,
    pub classification_count: i64,
    pub risk_score: f64,
    pub risk_band: String,
    pub direction: String,
    pub source: String,
    pub user_id: Option<Uuid>,
    pub action: String,
    pub decision: String,
    pub created_at: DateTime<Utc>,
}

impl From<InteractionRow> for Interaction {
    fn from(r: InteractionRow) -> Self {
        Interaction {
            id: r.id,
            tenant_id: r.tenant_id,
            platform_id: r.platform_id,
            interaction_type: r.interaction_type,
            content_hash: r.content_hash,
            content_metadata: serde_json::from_str(&r.content_metadata).unwrap_or_default(),
            classifications: serde_json::from_str(&r.classifications).unwrap_or_default(),
            classification_count: r.classification_count as usize,
            risk_score: r.risk_score,
            risk_band: r.risk_band,
            direction: r.direction,
            source: r.source,
            user_id: r.user_id,
            action: r.action,
            decision: serde_json::from_str(&r.decision).expect("stored decisions are valid"),
            created_at: r.created_at,
        }
    }
}

macro_rules! columns {
    () => {
        "id, tenant_id, platform_id, interaction_type, content_hash, content_metadata, classifications, \
         classification_count, risk_score, risk_band, direction, source, user_id, action, decision, created_at"
    };
}

const INSERT: &str = concat!(
    "INSERT INTO guard_interactions (",
    columns!(),
    ", policy_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
);

const INSERT_FINDING: &str =
    "INSERT INTO guard_findings (interaction_id, tenant_id, kind, created_at) VALUES ($1, $2, $3, $4)";

impl GuardStore {
    /// Stores interactions, their finding types and their alerts atomically.
    pub async fn insert_interactions(
        &self,
        items: &[(Interaction, Option<AlertRow>)],
    ) -> anyhow::Result<()> {
        let encoded: Vec<(String, String, String)> = items
            .iter()
            .map(|(i, _)| {
                Ok((
                    i.content_metadata.to_string(),
                    serde_json::to_string(&i.classifications)?,
                    serde_json::to_string(&i.decision)?,
                ))
            })
            .collect::<Result<_, serde_json::Error>>()?;
        let result: Result<(), sqlx::Error> = on_db!(&self.db, |p| async {
            let mut tx = p.begin().await?;
            for ((i, alert), (metadata, classifications, decision)) in items.iter().zip(&encoded) {
                sqlx::query(INSERT)
                    .bind(i.id)
                    .bind(i.tenant_id)
                    .bind(&i.platform_id)
                    .bind(&i.interaction_type)
                    .bind(&i.content_hash)
                    .bind(metadata)
                    .bind(classifications)
                    .bind(i.classification_count as i64)
                    .bind(i.risk_score)
                    .bind(&i.risk_band)
                    .bind(&i.direction)
                    .bind(&i.source)
                    .bind(i.user_id)
                    .bind(&i.action)
                    .bind(decision)
                    .bind(i.created_at)
                    .bind(i.decision.policy_id)
                    .execute(&mut *tx)
                    .await?;
                for c in &i.classifications {
                    sqlx::query(INSERT_FINDING)
                        .bind(i.id)
                        .bind(i.tenant_id)
                        .bind(&c.kind)
                        .bind(i.created_at)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(a) = alert {
                    insert_alert!(tx, a)?;
                }
            }
            tx.commit().await
        }
        .await);
        result.context("storing interactions")
    }

    pub async fn interaction(
        &self,
        tenant_id: Uuid,
        id: Uuid,
    ) -> anyhow::Result<Option<Interaction>> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM guard_interactions WHERE id = $1 AND tenant_id = $2"
        );
        let row: Option<InteractionRow> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading an interaction")?;
        Ok(row.map(Interaction::from))
    }

    /// One page of the interactions matching `filter`, newest first, with the total.
    pub async fn interactions_page(
        &self,
        filter: &Filter,
        page: Page,
    ) -> anyhow::Result<(Vec<Interaction>, u64)> {
        let select = concat!("SELECT ", columns!(), " FROM guard_interactions");
        let order = "created_at DESC, id DESC";
        let (rows, total) = fetch_page::<InteractionRow>(
            &self.db,
            select,
            "FROM guard_interactions",
            filter,
            order,
            page,
        )
        .await
        .context("listing interactions")?;
        Ok((rows.into_iter().map(Interaction::from).collect(), total))
    }

    /// The tenant's interactions since `since`.
    pub async fn interaction_count_since(
        &self,
        tenant_id: Uuid,
        since: DateTime<Utc>,
    ) -> anyhow::Result<u64> {
        let sql =
            "SELECT COUNT(*) FROM guard_interactions WHERE tenant_id = $1 AND created_at >= $2";
        let n: i64 = on_db!(&self.db, |p| sqlx::query_scalar(sql)
            .bind(tenant_id)
            .bind(since)
            .fetch_one(p)
            .await)
        .context("counting interactions")?;
        Ok(n.max(0) as u64)
    }
}
