//! netwatch_whitelist: addresses and networks never reported.

use anyhow::Context;
use platform::on_db;
use platform::store::{self, is_unique_violation};
use uuid::Uuid;

use super::NetwatchStore;
use crate::model::WhitelistEntry;

impl NetwatchStore {
    pub async fn whitelist(&self, tenant_id: Uuid) -> anyhow::Result<Vec<WhitelistEntry>> {
        let sql = "SELECT id, cidr, note, created_by, created_at FROM netwatch_whitelist WHERE tenant_id = $1 ORDER BY created_at, id";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("listing the whitelist")
    }

    /// None when the network is already listed.
    pub async fn add_whitelist(
        &self,
        tenant_id: Uuid,
        cidr: &str,
        note: &str,
        by: &str,
    ) -> anyhow::Result<Option<WhitelistEntry>> {
        let entry = WhitelistEntry {
            id: Uuid::new_v4(),
            cidr: cidr.into(),
            note: note.into(),
            created_by: by.into(),
            created_at: store::now(),
        };
        let sql = "INSERT INTO netwatch_whitelist (id, tenant_id, cidr, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
        let result = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(entry.id)
            .bind(tenant_id)
            .bind(&entry.cidr)
            .bind(&entry.note)
            .bind(&entry.created_by)
            .bind(entry.created_at)
            .execute(p)
            .await
            .map(|_| ()));
        match result {
            Ok(_) => Ok(Some(entry)),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e).context("adding to the whitelist"),
        }
    }

    pub async fn remove_whitelist(
        &self,
        tenant_id: Uuid,
        id: Uuid,
    ) -> anyhow::Result<Option<WhitelistEntry>> {
        let select = "SELECT id, cidr, note, created_by, created_at FROM netwatch_whitelist WHERE id = $1 AND tenant_id = $2";
        let delete = "DELETE FROM netwatch_whitelist WHERE id = $1 AND tenant_id = $2";
        on_db!(&self.db, |p| {
            let mut tx = p.begin().await?;
            let found: Option<WhitelistEntry> = sqlx::query_as(select)
                .bind(id)
                .bind(tenant_id)
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query(delete)
                .bind(id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(found)
        })
        .context("removing from the whitelist")
    }
}
