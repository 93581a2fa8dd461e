//! netwatch_agents: one row per enrolled agent (a device), with its last contact.

use anyhow::Context;
use platform::on_db;
use platform::store;
use uuid::Uuid;

use super::NetwatchStore;
use crate::model::AgentRow;

macro_rules! agent_columns {
    () => {
        "id, tenant_id, license_id, agent_id, hostname, os_type, agent_version, last_ip, stats, first_seen, last_seen, last_heartbeat"
    };
}

/// What an agent says about itself when it authenticates.
pub struct AgentHello<'a> {
    pub tenant_id: Uuid,
    pub license_id: Uuid,
    pub agent_id: &'a str,
    pub hostname: &'a str,
    pub os_type: &'a str,
    pub agent_version: &'a str,
    pub ip: &'a str,
}

impl NetwatchStore {
    /// Registers the agent on first contact, else refreshes what it reported; returns its row.
    pub async fn enrol_agent(&self, hello: &AgentHello<'_>) -> anyhow::Result<AgentRow> {
        let now = store::now();
        let sql = "INSERT INTO netwatch_agents (id, tenant_id, license_id, agent_id, hostname, os_type, agent_version, last_ip, first_seen, last_seen) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
                   ON CONFLICT (tenant_id, agent_id) DO UPDATE SET license_id = $3, hostname = $5, os_type = $6, \
                   agent_version = $7, last_ip = $8, last_seen = $9";
        let select = concat!(
            "SELECT ",
            agent_columns!(),
            " FROM netwatch_agents WHERE tenant_id = $1 AND agent_id = $2"
        );
        on_db!(&self.db, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(sql)
                .bind(Uuid::new_v4())
                .bind(hello.tenant_id)
                .bind(hello.license_id)
                .bind(hello.agent_id)
                .bind(hello.hostname)
                .bind(hello.os_type)
                .bind(hello.agent_version)
                .bind(hello.ip)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let row = sqlx::query_as(select)
                .bind(hello.tenant_id)
                .bind(hello.agent_id)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<AgentRow, sqlx::Error>(row)
        })
        .context("enrolling an agent")
    }

    pub async fn agent(&self, tenant_id: Uuid, id: Uuid) -> anyhow::Result<Option<AgentRow>> {
        let sql = concat!(
            "SELECT ",
            agent_columns!(),
            " FROM netwatch_agents WHERE id = $1 AND tenant_id = $2"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading an agent")
    }

    /// A heartbeat: last contact, version and the agent's counters.
    pub async fn heartbeat(
        &self,
        id: Uuid,
        version: &str,
        stats: &str,
        ip: &str,
    ) -> anyhow::Result<()> {
        let now = store::now();
        let sql = "UPDATE netwatch_agents SET last_seen = $2, last_heartbeat = $2, agent_version = $3, stats = $4, last_ip = $5 WHERE id = $1";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(now)
            .bind(version)
            .bind(stats)
            .bind(ip)
            .execute(p)
            .await
            .map(|_| ()))
        .context("recording a heartbeat")?;
        Ok(())
    }

    /// Any call of the agent counts as contact.
    pub async fn touch_agent(&self, id: Uuid) -> anyhow::Result<()> {
        let sql = "UPDATE netwatch_agents SET last_seen = $2 WHERE id = $1";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(store::now())
            .execute(p)
            .await
            .map(|_| ()))
        .context("recording agent contact")?;
        Ok(())
    }

    pub async fn agents(&self, tenant_id: Uuid) -> anyhow::Result<Vec<AgentRow>> {
        let sql = concat!(
            "SELECT ",
            agent_columns!(),
            " FROM netwatch_agents WHERE tenant_id = $1 ORDER BY hostname, agent_id"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("listing agents")
    }
}
