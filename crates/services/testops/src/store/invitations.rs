//! `testops_invitations`: pending invitations by the SHA-256 of their token (the token itself
//! is shown once, in the invitation link); accepted ones are kept, revoked ones deleted.

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::on_db;
use uuid::Uuid;

use super::TestopsStore;
use crate::model::rows::InvitationRow;

macro_rules! invitation_columns {
    () => {
        "id, tenant_id, email, role, invited_by, status, expires_at, created_at"
    };
}

impl TestopsStore {
    pub async fn create_invitation(
        &self,
        row: &InvitationRow,
        token_hash: &[u8],
    ) -> anyhow::Result<()> {
        let sql = "INSERT INTO testops_invitations (id, tenant_id, email, role, token_hash, invited_by, status, expires_at, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(&row.id)
            .bind(row.tenant_id)
            .bind(&row.email)
            .bind(&row.role)
            .bind(token_hash)
            .bind(&row.invited_by)
            .bind(&row.status)
            .bind(row.expires_at)
            .bind(row.created_at)
            .execute(p)
            .await
            .map(|_| ()))
        .context("storing the invitation")
    }

    /// The tenant's pending invitations that have not expired, newest first.
    pub async fn pending_invitations(
        &self,
        tenant_id: Uuid,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<InvitationRow>> {
        let sql = concat!("SELECT ", invitation_columns!(),
            " FROM testops_invitations WHERE tenant_id = $1 AND status = 'pending' AND expires_at > $2 ORDER BY created_at DESC, id DESC");
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(now)
            .fetch_all(p)
            .await)
        .context("listing invitations")
    }

    /// A pending, unexpired invitation of `email` in the tenant.
    pub async fn pending_invitation_for(
        &self,
        tenant_id: Uuid,
        email: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<InvitationRow>> {
        let sql = concat!("SELECT ", invitation_columns!(),
            " FROM testops_invitations WHERE tenant_id = $1 AND email = $2 AND status = 'pending' AND expires_at > $3");
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(email)
            .bind(now)
            .fetch_optional(p)
            .await)
        .context("reading invitations")
    }

    /// The invitation whose token hashes to `token_hash`, whatever its state.
    pub async fn invitation_by_token(
        &self,
        token_hash: &[u8],
    ) -> anyhow::Result<Option<InvitationRow>> {
        let sql = concat!(
            "SELECT ",
            invitation_columns!(),
            " FROM testops_invitations WHERE token_hash = $1"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(p)
            .await)
        .context("reading the invitation")
    }

    /// Marks a pending invitation accepted; false when it was not pending any more (used by a
    /// concurrent request: tokens are single-use).
    pub async fn accept_invitation(&self, id: &str) -> anyhow::Result<bool> {
        let sql = "UPDATE testops_invitations SET status = 'accepted', accepted_at = $1 WHERE id = $2 AND status = 'pending'";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(platform::store::now())
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .context("accepting the invitation")?;
        Ok(n == 1)
    }

    /// Deletes a pending invitation of the tenant; false when there is none with that id.
    pub async fn revoke_invitation(&self, tenant_id: Uuid, id: &str) -> anyhow::Result<bool> {
        let sql = "DELETE FROM testops_invitations WHERE id = $1 AND tenant_id = $2 AND status = 'pending'";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .context("revoking the invitation")?;
        Ok(n == 1)
    }

    /// Pending invitations of the tenant (they count against the user limit).
    pub async fn pending_invitation_count(
        &self,
        tenant_id: Uuid,
        now: DateTime<Utc>,
    ) -> anyhow::Result<i64> {
        let sql = "SELECT COUNT(*) FROM testops_invitations WHERE tenant_id = $1 AND status = 'pending' AND expires_at > $2";
        let (n,): (i64,) = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(now)
            .fetch_one(p)
            .await)
        .context("counting invitations")?;
        Ok(n)
    }
}
