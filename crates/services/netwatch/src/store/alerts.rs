//! netwatch_alerts and netwatch_trail_entries: alerts as agents upload them, each with its
//! decision trace's hash-chained entries, written together; triage appends to the chain.

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::http::pagination::OffsetPage;
use platform::on_db;
use platform::store::{self, fetch_window, Filter};
use proof::trail::TrailEntry;
use uuid::Uuid;

use super::NetwatchStore;
use crate::model::{AlertRow, TrailEntryRow};

macro_rules! alert_columns {
    () => {
        "id, tenant_id, agent, upload_id, trace_id, rule_name, severity, source_ip, dest_ip, port, protocol, score, ts, \
         first_seen, status, notes, summary, mitre, evidence, thresholds, shap_json, created_at, updated_at, triaged_at, resolved_at, self_test"
    };
}

/// The INSERT of one trail entry `$e` of trace `$trace` (both backends bind the same way).
macro_rules! insert_entry {
    ($trace:expr, $tenant:expr, $e:expr) => {
        sqlx::query(
            "INSERT INTO netwatch_trail_entries (trace_id, tenant_id, seq, kind, recorded_at, data, canonical, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($trace)
        .bind($tenant)
        .bind($e.seq as i64)
        .bind(&$e.kind)
        .bind(&$e.recorded_at)
        .bind($e.data.to_string())
        .bind(&$e.canonical)
        .bind(&$e.prev_hash)
        .bind(&$e.hash)
    };
}

/// An alert to store, with the first entries of its trace (built by `crate::trail`).
pub struct NewAlert {
    pub row: AlertRow,
    pub entries: Vec<TrailEntry>,
}

/// What storing one upload did.
pub struct StoredAlert {
    pub upload_id: String,
    pub alert_id: Uuid,
    pub duplicate: bool,
}

#[derive(Default)]
pub struct AlertQuery {
    pub severity: Option<String>,
    pub status: Option<String>,
    pub rule: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub search: Vec<String>,
}

const SEARCHED: &[&str] = &["rule_name", "source_ip", "dest_ip", "summary", "severity"];

impl NetwatchStore {
    /// Stores a batch in one transaction; an upload id the agent already sent is a duplicate
    /// (its first alert is returned, nothing is written).
    pub async fn insert_alerts(&self, alerts: &[NewAlert]) -> anyhow::Result<Vec<StoredAlert>> {
        let insert = "INSERT INTO netwatch_alerts (id, tenant_id, agent, upload_id, trace_id, rule_name, severity, source_ip, dest_ip, \
                      port, protocol, score, ts, first_seen, status, notes, summary, mitre, evidence, thresholds, shap_json, created_at, updated_at, \
                      triaged_at, resolved_at, self_test) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $23, $24, $25) \
                      ON CONFLICT (tenant_id, agent, upload_id) DO NOTHING";
        let existing =
            "SELECT id FROM netwatch_alerts WHERE tenant_id = $1 AND agent = $2 AND upload_id = $3";
        on_db!(&self.db, |p| {
            let mut tx = p.begin().await?;
            let mut stored = Vec::with_capacity(alerts.len());
            for a in alerts {
                let r = &a.row;
                let inserted = sqlx::query(insert)
                    .bind(r.id)
                    .bind(r.tenant_id)
                    .bind(r.agent)
                    .bind(&r.upload_id)
                    .bind(r.trace_id)
                    .bind(&r.rule_name)
                    .bind(&r.severity)
                    .bind(&r.source_ip)
                    .bind(&r.dest_ip)
                    .bind(r.port)
                    .bind(&r.protocol)
                    .bind(r.score)
                    .bind(r.ts)
                    .bind(r.first_seen)
                    .bind(&r.status)
                    .bind(&r.notes)
                    .bind(&r.summary)
                    .bind(&r.mitre)
                    .bind(&r.evidence)
                    .bind(&r.thresholds)
                    .bind(&r.shap_json)
                    .bind(r.created_at)
                    .bind(r.triaged_at)
                    .bind(r.resolved_at)
                    .bind(r.self_test)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if inserted == 0 {
                    let (id,): (Uuid,) = sqlx::query_as(existing)
                        .bind(r.tenant_id)
                        .bind(r.agent)
                        .bind(&r.upload_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    stored.push(StoredAlert {
                        upload_id: r.upload_id.clone(),
                        alert_id: id,
                        duplicate: true,
                    });
                    continue;
                }
                for e in &a.entries {
                    insert_entry!(r.trace_id, r.tenant_id, e)
                        .execute(&mut *tx)
                        .await?;
                }
                stored.push(StoredAlert {
                    upload_id: r.upload_id.clone(),
                    alert_id: r.id,
                    duplicate: false,
                });
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(stored)
        })
        .context("storing alerts")
    }

    pub async fn alerts(
        &self,
        tenant_id: Uuid,
        q: &AlertQuery,
        page: OffsetPage,
    ) -> anyhow::Result<(Vec<AlertRow>, u64)> {
        let filter = Filter::new()
            .eq("tenant_id", tenant_id)
            .eq_opt("severity", q.severity.clone())
            .eq_opt("status", q.status.clone())
            .eq_opt("rule_name", q.rule.clone())
            .cmp_opt("ts", ">=", q.since)
            .cmp_opt("ts", "<=", q.until)
            .search(SEARCHED, &q.search);
        let select = concat!("SELECT ", alert_columns!(), " FROM netwatch_alerts");
        fetch_window(
            &self.db,
            select,
            "FROM netwatch_alerts",
            &filter,
            "ts DESC, id",
            page.limit as i64,
            page.offset as i64,
        )
        .await
        .context("listing alerts")
    }

    pub async fn alert(&self, tenant_id: Uuid, id: Uuid) -> anyhow::Result<Option<AlertRow>> {
        let sql = concat!(
            "SELECT ",
            alert_columns!(),
            " FROM netwatch_alerts WHERE id = $1 AND tenant_id = $2"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading an alert")
    }

    pub async fn alert_by_trace(
        &self,
        tenant_id: Uuid,
        trace_id: Uuid,
    ) -> anyhow::Result<Option<AlertRow>> {
        let sql = concat!(
            "SELECT ",
            alert_columns!(),
            " FROM netwatch_alerts WHERE trace_id = $1 AND tenant_id = $2"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(trace_id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading a trace")
    }

    pub async fn trail(
        &self,
        tenant_id: Uuid,
        trace_id: Uuid,
    ) -> anyhow::Result<Vec<TrailEntryRow>> {
        let sql = "SELECT seq, kind, recorded_at, data, canonical, prev_hash, hash FROM netwatch_trail_entries \
                   WHERE trace_id = $1 AND tenant_id = $2 ORDER BY seq";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(trace_id)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("reading a proof trail")
    }

    /// Triage: the new status and notes, the trail entry that records them (built on the last
    /// entry, which is re-read inside the transaction), and a suppression for a false positive.
    pub async fn triage(
        &self,
        alert: &AlertRow,
        status: &str,
        notes: Option<&str>,
        entry: impl FnOnce(&TrailEntry) -> TrailEntry,
        suppress_until: Option<DateTime<Utc>>,
    ) -> anyhow::Result<AlertRow> {
        let now = store::now();
        let last = "SELECT seq, kind, recorded_at, data, canonical, prev_hash, hash FROM netwatch_trail_entries \
                    WHERE trace_id = $1 ORDER BY seq DESC LIMIT 1";
        let update = "UPDATE netwatch_alerts SET status = $2, notes = $3, updated_at = $4, \
                      triaged_at = COALESCE(triaged_at, $5), resolved_at = $6 WHERE id = $1";
        let suppress = "INSERT INTO netwatch_suppressions (id, tenant_id, alert_id, rule_name, source_ip, dest_ip, until, created_at) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let triaged = (status != "open").then_some(now);
        let resolved = matches!(status, "resolved" | "false_positive")
            .then_some(now)
            .or(alert.resolved_at.filter(|_| status != "open"));
        let notes = notes.map(str::to_string).or_else(|| alert.notes.clone());
        let mut entry = Some(entry);
        on_db!(&self.db, |p| {
            let mut tx = p.begin().await?;
            // Serialise concurrent triage of one alert (the row lock on PostgreSQL; SQLite has one writer).
            sqlx::query(update)
                .bind(alert.id)
                .bind(status)
                .bind(&notes)
                .bind(now)
                .bind(triaged)
                .bind(resolved)
                .execute(&mut *tx)
                .await?;
            let prev: TrailEntryRow = sqlx::query_as(last)
                .bind(alert.trace_id)
                .fetch_one(&mut *tx)
                .await?;
            let e = (entry.take().expect("once"))(&prev.to_entry());
            insert_entry!(alert.trace_id, alert.tenant_id, &e)
                .execute(&mut *tx)
                .await?;
            if let Some(until) = suppress_until {
                sqlx::query(suppress)
                    .bind(Uuid::new_v4())
                    .bind(alert.tenant_id)
                    .bind(alert.id)
                    .bind(&alert.rule_name)
                    .bind(&alert.source_ip)
                    .bind(&alert.dest_ip)
                    .bind(until)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
        .context("triaging an alert")?;
        self.alert(alert.tenant_id, alert.id)
            .await?
            .context("the alert just updated")
    }
}
