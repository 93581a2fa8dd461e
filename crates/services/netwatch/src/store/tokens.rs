//! netwatch_refresh_tokens: the refresh tokens of the Supabase-style login (SHA-256 stored,
//! single use: a refresh revokes the token it used).

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::on_db;
use platform::store;
use uuid::Uuid;

use super::NetwatchStore;

impl NetwatchStore {
    pub async fn store_refresh_token(
        &self,
        hash: &[u8],
        tenant_id: Uuid,
        user_id: Uuid,
        email: &str,
        expires_at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let sql = "INSERT INTO netwatch_refresh_tokens (token_hash, tenant_id, user_id, email, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(hash)
            .bind(tenant_id)
            .bind(user_id)
            .bind(email)
            .bind(expires_at)
            .bind(store::now())
            .execute(p)
            .await
            .map(|_| ()))
        .context("storing a refresh token")?;
        Ok(())
    }

    /// Revokes the token if it is live and returns its user; None for an unknown, used or expired one.
    pub async fn use_refresh_token(
        &self,
        hash: &[u8],
    ) -> anyhow::Result<Option<(Uuid, Uuid, String)>> {
        let now = store::now();
        let sql = "UPDATE netwatch_refresh_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 \
                   RETURNING tenant_id, user_id, email";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(hash)
            .bind(now)
            .fetch_optional(p)
            .await)
        .context("using a refresh token")
    }

    /// Logout: every live refresh token of the user.
    pub async fn revoke_refresh_tokens(&self, user_id: Uuid) -> anyhow::Result<()> {
        let sql = "UPDATE netwatch_refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(user_id)
            .bind(store::now())
            .execute(p)
            .await
            .map(|_| ()))
        .context("revoking refresh tokens")?;
        Ok(())
    }
}
