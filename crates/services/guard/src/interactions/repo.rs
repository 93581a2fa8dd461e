//! Storage of interactions, with their finding types and the alerts they raised, written in
//! one transaction per request (a batch is all or nothing).

use chrono::{DateTime, Utc};
use platform::on_db;
use platform::store::{fetch_page, Db, Filter};
use uuid::Uuid;

use super::model::Interaction;
use crate::alerts::{self, AlertRow};

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

const COLUMNS: &str = "id, tenant_id, platform_id, interaction_type, content_hash, content_metadata, classifications, \
    classification_count, risk_score, risk_band, direction, source, user_id, action, decision, created_at";

const INSERT: &str = "INSERT INTO guard_interactions (id, tenant_id, platform_id, interaction_type, content_hash, \
    content_metadata, classifications, classification_count, risk_score, risk_band, direction, source, user_id, action, \
    policy_id, decision, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";

const INSERT_FINDING: &str =
    "INSERT INTO guard_findings (interaction_id, tenant_id, kind, created_at) VALUES ($1, $2, $3, $4)";

/// Stores interactions and their alerts atomically.
pub async fn insert_all(db: &Db, items: &[(Interaction, Option<AlertRow>)]) -> anyhow::Result<()> {
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
    let result: Result<(), sqlx::Error> = on_db!(db, p => async {
        let mut tx = p.begin().await?;
        for ((i, alert), (metadata, classifications, decision)) in items.iter().zip(&encoded) {
            sqlx::query(INSERT)
                .bind(i.id).bind(i.tenant_id).bind(&i.platform_id).bind(&i.interaction_type).bind(&i.content_hash)
                .bind(metadata).bind(classifications).bind(i.classification_count as i64).bind(i.risk_score)
                .bind(&i.risk_band).bind(&i.direction).bind(&i.source).bind(i.user_id).bind(&i.action)
                .bind(i.decision.policy_id).bind(decision).bind(i.created_at)
                .execute(&mut *tx).await?;
            for c in &i.classifications {
                sqlx::query(INSERT_FINDING).bind(i.id).bind(i.tenant_id).bind(&c.kind).bind(i.created_at)
                    .execute(&mut *tx).await?;
            }
            if let Some(a) = alert {
                sqlx::query(alerts::INSERT_SQL)
                    .bind(a.id).bind(a.tenant_id).bind(a.interaction_id).bind(&a.severity).bind(&a.reasons)
                    .bind(&a.title).bind(&a.platform_id).bind(a.user_id).bind(&a.action).bind(a.risk_score)
                    .bind(a.policy_id).bind(&a.status).bind(a.created_at)
                    .execute(&mut *tx).await?;
            }
        }
        tx.commit().await
    }.await);
    Ok(result?)
}

pub async fn get(
    db: &Db,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<InteractionRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM guard_interactions WHERE id = $1 AND tenant_id = $2");
    on_db!(db, p => sqlx::query_as::<_, InteractionRow>(sqlx::AssertSqlSafe(sql.clone())).bind(id).bind(tenant_id).fetch_optional(p).await)
}

/// One page of the rows matching `filter`, newest first, with the total.
pub async fn page(
    db: &Db,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<InteractionRow>, i64), sqlx::Error> {
    let select = format!("SELECT {COLUMNS} FROM guard_interactions");
    fetch_page(
        db,
        &select,
        "FROM guard_interactions",
        filter,
        "created_at DESC, id DESC",
        limit,
        offset,
    )
    .await
}
