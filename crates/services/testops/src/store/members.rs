//! `testops_members` (the contract's user ids and last logins over platform users) and
//! `testops_api_keys` (the contract's ids of platform API keys).

use anyhow::Context;
use platform::on_db;
use uuid::Uuid;

use super::TestopsStore;
use crate::model::rows::{ApiKeyLink, MemberRow};

macro_rules! member_columns {
    () => {
        "id, user_id, tenant_id, last_login_at, updated_at"
    };
}

impl TestopsStore {
    /// The user's member row, created on first use; its tenant follows the user's.
    pub async fn ensure_member(&self, user_id: Uuid, tenant_id: Uuid) -> anyhow::Result<MemberRow> {
        let sql = "INSERT INTO testops_members (id, user_id, tenant_id, updated_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (user_id) DO UPDATE SET tenant_id = excluded.tenant_id";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(crate::model::id::new_id())
            .bind(user_id)
            .bind(tenant_id)
            .bind(platform::store::now())
            .execute(p)
            .await
            .map(|_| ()))
        .context("recording the member")?;
        self.member_by_user(user_id)
            .await?
            .context("the member vanished")
    }

    pub async fn member_by_user(&self, user_id: Uuid) -> anyhow::Result<Option<MemberRow>> {
        let sql = concat!(
            "SELECT ",
            member_columns!(),
            " FROM testops_members WHERE user_id = $1"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(user_id)
            .fetch_optional(p)
            .await)
        .context("reading the member")
    }

    /// The member `id` of the tenant (another tenant's member is `None`).
    pub async fn member(&self, tenant_id: Uuid, id: &str) -> anyhow::Result<Option<MemberRow>> {
        let sql = concat!(
            "SELECT ",
            member_columns!(),
            " FROM testops_members WHERE id = $1 AND tenant_id = $2"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading the member")
    }

    pub async fn members(&self, tenant_id: Uuid) -> anyhow::Result<Vec<MemberRow>> {
        let sql = concat!(
            "SELECT ",
            member_columns!(),
            " FROM testops_members WHERE tenant_id = $1"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("listing members")
    }

    pub async fn record_login(&self, member_id: &str) -> anyhow::Result<()> {
        let sql = "UPDATE testops_members SET last_login_at = $1 WHERE id = $2";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(platform::store::now())
            .bind(member_id)
            .execute(p)
            .await
            .map(|_| ()))
        .context("recording the login")
    }

    pub async fn touch_member(&self, member_id: &str) -> anyhow::Result<()> {
        let sql = "UPDATE testops_members SET updated_at = $1 WHERE id = $2";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(platform::store::now())
            .bind(member_id)
            .execute(p)
            .await
            .map(|_| ()))
        .context("updating the member")
    }

    /// Gives a platform API key its contract id.
    pub async fn link_api_key(&self, api_key_id: Uuid, member_id: &str) -> anyhow::Result<String> {
        let id = crate::model::id::new_id();
        let sql = "INSERT INTO testops_api_keys (id, api_key_id, member_id) VALUES ($1, $2, $3)";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(&id)
            .bind(api_key_id)
            .bind(member_id)
            .execute(p)
            .await
            .map(|_| ()))
        .context("recording the API key")?;
        Ok(id)
    }

    /// The member's API keys' ids.
    pub async fn api_key_links(&self, member_id: &str) -> anyhow::Result<Vec<ApiKeyLink>> {
        let sql = "SELECT id, api_key_id, member_id FROM testops_api_keys WHERE member_id = $1";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(member_id)
            .fetch_all(p)
            .await)
        .context("listing API keys")
    }
}
