//! Changing who is in a tenant: renaming a user, moving one to another tenant (an accepted
//! invitation), removing one, and dropping a tenant that a failed sign-up left empty.

use uuid::Uuid;

use crate::identity::accounts::{AccountError, Accounts, Member, User};
use crate::on_db;
use crate::ServiceName;

impl Accounts {
    /// Every user of the tenant with a role in `service`, oldest first (`invited_by` is not
    /// read: its column exists only where guard's tables were made).
    pub async fn members_of(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
    ) -> Result<Vec<Member>, AccountError> {
        let sql =
            "SELECT u.id, u.tenant_id, u.email, u.display_name, u.status, u.created_at, r.role \
                   FROM users u JOIN user_roles r ON r.user_id = u.id \
                   WHERE u.tenant_id = $1 AND r.service = $2 ORDER BY u.created_at, u.id";
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, Member>(sql)
            .bind(tenant_id)
            .bind(service.as_str())
            .fetch_all(p)
            .await)?)
    }

    /// The user `user_id` when they are in the tenant.
    pub async fn user(&self, tenant_id: Uuid, user_id: Uuid) -> Result<Option<User>, AccountError> {
        let sql = "SELECT id, tenant_id, email, display_name, status, created_at FROM users WHERE id = $1 AND tenant_id = $2";
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, User>(sql)
            .bind(user_id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)?)
    }

    /// Sets the user's display name. False when the user is not in the tenant.
    pub async fn rename_user(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        display_name: &str,
    ) -> Result<bool, AccountError> {
        let sql = "UPDATE users SET display_name = $1 WHERE id = $2 AND tenant_id = $3";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(display_name)
            .bind(user_id)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Moves the user into `tenant_id` with `role` in `service`; their API keys in the tenant
    /// they leave are revoked (they would otherwise keep acting there).
    pub async fn move_user(
        &self,
        user_id: Uuid,
        tenant_id: Uuid,
        service: ServiceName,
        role: &str,
    ) -> Result<(), AccountError> {
        let now = crate::store::now();
        let revoke =
            "UPDATE api_keys SET revoked_at = $1 WHERE created_by = $2 AND revoked_at IS NULL";
        let moved = "UPDATE users SET tenant_id = $1 WHERE id = $2";
        let set_role = "INSERT INTO user_roles (user_id, service, role) VALUES ($1, $2, $3) \
                        ON CONFLICT (user_id, service) DO UPDATE SET role = excluded.role";
        on_db!(&self.db, |p| async {
            let mut tx = p.begin().await?;
            sqlx::query(revoke)
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(moved)
                .bind(tenant_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(set_role)
                .bind(user_id)
                .bind(service.as_str())
                .bind(role)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await)?;
        Ok(())
    }

    /// Deletes the user (their roles go with them). False when the user is not in the tenant.
    pub async fn delete_user(&self, tenant_id: Uuid, user_id: Uuid) -> Result<bool, AccountError> {
        let sql = "DELETE FROM users WHERE id = $1 AND tenant_id = $2";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(user_id)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Deletes the tenant when nobody is in it (undoing a sign-up that failed half-way).
    pub async fn delete_empty_tenant(&self, tenant_id: Uuid) -> Result<bool, AccountError> {
        let sql = "DELETE FROM tenants WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM users WHERE tenant_id = $1)";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }
}
