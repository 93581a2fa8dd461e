//! `testops_projects` (with their run settings) and `testops_env_vars`.

use anyhow::Context;
use platform::on_db;
use uuid::Uuid;

use super::TestopsStore;
use crate::model::rows::{EnvVarRow, ProjectRow};

macro_rules! project_columns {
    () => {
        "id, tenant_id, name, slug, docker_image, target_urls, default_test_folder, auto_quarantine_enabled, network, created_at, updated_at"
    };
}

macro_rules! env_columns {
    () => {
        "id, project_id, key, value, is_secret, created_at, updated_at"
    };
}

/// Run settings to write (`None` keeps; `docker_image: Some(None)` clears).
#[derive(Default)]
pub struct ProjectSettingsUpdate {
    pub name: Option<String>,
    pub docker_image: Option<Option<String>>,
    pub target_urls: Option<String>,
    pub default_test_folder: Option<String>,
    pub auto_quarantine_enabled: Option<bool>,
    pub network: Option<String>,
}

/// An environment variable's new key, value (already sealed when secret) and secrecy.
pub struct EnvVarUpdate {
    pub key: String,
    pub value: String,
    pub is_secret: bool,
}

impl TestopsStore {
    /// Inserts the project; a duplicate slug in the tenant is an error `is_duplicate` recognises.
    pub async fn create_project(&self, row: &ProjectRow) -> anyhow::Result<()> {
        let sql = "INSERT INTO testops_projects (id, tenant_id, name, slug, docker_image, target_urls, default_test_folder, auto_quarantine_enabled, network, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(&row.id)
            .bind(row.tenant_id)
            .bind(&row.name)
            .bind(&row.slug)
            .bind(&row.docker_image)
            .bind(&row.target_urls)
            .bind(&row.default_test_folder)
            .bind(row.auto_quarantine_enabled)
            .bind(&row.network)
            .bind(row.created_at)
            .bind(row.updated_at)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(anyhow::Error::from)
    }

    pub async fn projects(&self, tenant_id: Uuid) -> anyhow::Result<Vec<ProjectRow>> {
        let sql = concat!(
            "SELECT ",
            project_columns!(),
            " FROM testops_projects WHERE tenant_id = $1 ORDER BY created_at, id"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("listing projects")
    }

    pub async fn project_count(&self, tenant_id: Uuid) -> anyhow::Result<i64> {
        let sql = "SELECT COUNT(*) FROM testops_projects WHERE tenant_id = $1";
        let (n,): (i64,) = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_one(p)
            .await)
        .context("counting projects")?;
        Ok(n)
    }

    /// The tenant's project `id` (another tenant's is `None`).
    pub async fn project(&self, tenant_id: Uuid, id: &str) -> anyhow::Result<Option<ProjectRow>> {
        let sql = concat!(
            "SELECT ",
            project_columns!(),
            " FROM testops_projects WHERE id = $1 AND tenant_id = $2"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading the project")
    }

    /// Writes the given fields; a renamed project takes the new name's slug (a duplicate is an
    /// error `is_duplicate` recognises).
    pub async fn update_project(
        &self,
        tenant_id: Uuid,
        id: &str,
        u: ProjectSettingsUpdate,
    ) -> anyhow::Result<Option<ProjectRow>> {
        let (image_set, image) = match u.docker_image {
            Some(value) => (true, value),
            None => (false, None),
        };
        let slug = u.name.as_deref().map(crate::model::slug::slugify);
        let sql = "UPDATE testops_projects SET \
                   name = COALESCE($3, name), slug = COALESCE($4, slug), \
                   docker_image = CASE WHEN $5 THEN $6 ELSE docker_image END, \
                   target_urls = COALESCE($7, target_urls), \
                   default_test_folder = COALESCE($8, default_test_folder), \
                   auto_quarantine_enabled = COALESCE($9, auto_quarantine_enabled), \
                   network = COALESCE($10, network), updated_at = $11 \
                   WHERE id = $1 AND tenant_id = $2";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(tenant_id)
            .bind(&u.name)
            .bind(&slug)
            .bind(image_set)
            .bind(&image)
            .bind(&u.target_urls)
            .bind(&u.default_test_folder)
            .bind(u.auto_quarantine_enabled)
            .bind(&u.network)
            .bind(platform::store::now())
            .execute(p)
            .await
            .map(|_| ()))?;
        self.project(tenant_id, id).await
    }

    /// Deletes the project and its variables; false when the tenant has no such project.
    pub async fn delete_project(&self, tenant_id: Uuid, id: &str) -> anyhow::Result<bool> {
        let vars = "DELETE FROM testops_env_vars WHERE project_id = $1 AND tenant_id = $2";
        let project = "DELETE FROM testops_projects WHERE id = $1 AND tenant_id = $2";
        let n = on_db!(&self.db, |p| async {
            let mut tx = p.begin().await?;
            sqlx::query(vars)
                .bind(id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query(project)
                .bind(id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await.map(|_| n)
        }
        .await)
        .context("deleting the project")?;
        Ok(n == 1)
    }

    pub async fn env_vars(
        &self,
        tenant_id: Uuid,
        project_id: &str,
    ) -> anyhow::Result<Vec<EnvVarRow>> {
        let sql = concat!(
            "SELECT ",
            env_columns!(),
            " FROM testops_env_vars WHERE project_id = $1 AND tenant_id = $2 ORDER BY key"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(project_id)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("listing environment variables")
    }

    pub async fn env_var(
        &self,
        tenant_id: Uuid,
        project_id: &str,
        id: &str,
    ) -> anyhow::Result<Option<EnvVarRow>> {
        let sql = concat!(
            "SELECT ",
            env_columns!(),
            " FROM testops_env_vars WHERE id = $1 AND project_id = $2 AND tenant_id = $3"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .bind(project_id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading the environment variable")
    }

    /// Inserts a variable; a duplicate key is an error `is_duplicate` recognises.
    pub async fn create_env_var(&self, tenant_id: Uuid, row: &EnvVarRow) -> anyhow::Result<()> {
        let sql = "INSERT INTO testops_env_vars (id, project_id, tenant_id, key, value, is_secret, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(&row.id)
            .bind(&row.project_id)
            .bind(tenant_id)
            .bind(&row.key)
            .bind(&row.value)
            .bind(row.is_secret)
            .bind(row.created_at)
            .bind(row.updated_at)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(anyhow::Error::from)
    }

    /// Replaces a variable's key, value and secrecy (a duplicate key: `is_duplicate`).
    pub async fn update_env_var(
        &self,
        tenant_id: Uuid,
        id: &str,
        u: &EnvVarUpdate,
    ) -> anyhow::Result<()> {
        let sql = "UPDATE testops_env_vars SET key = $1, value = $2, is_secret = $3, updated_at = $4 WHERE id = $5 AND tenant_id = $6";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(&u.key)
            .bind(&u.value)
            .bind(u.is_secret)
            .bind(platform::store::now())
            .bind(id)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(anyhow::Error::from)
    }

    pub async fn delete_env_var(
        &self,
        tenant_id: Uuid,
        project_id: &str,
        id: &str,
    ) -> anyhow::Result<bool> {
        let sql =
            "DELETE FROM testops_env_vars WHERE id = $1 AND project_id = $2 AND tenant_id = $3";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(project_id)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .context("deleting the environment variable")?;
        Ok(n == 1)
    }
}
