//! `/api/projects`: CRUD (ours beyond the contract's list/create/get: rename and delete), and
//! run settings (`/settings`, and `/api/project-settings` for the first project) — including
//! ours, `network`: whether a run may reach the network (off by default).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use platform::http::{ApiError, AppJson};
use platform::ServiceState;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::api::organization::organization_of;
use crate::api::MessageResponse;
use crate::api::{bool_field, id_or_400, invalid_payload, iso, plan_limit};
use crate::auth::Caller;
use crate::model::rows::ProjectRow;
use crate::store::{is_duplicate, ProjectSettingsUpdate, TestopsStore};
use crate::ErrorBody;

/// Network modes of a project's runs: none, listed hosts only, or all (where the operator allows).
pub const NETWORK_MODES: &[&str] = &["off", "hosts", "open"];

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectView {
    id: String,
    name: String,
    slug: String,
    created_at: String,
    updated_at: String,
}

fn view(p: &ProjectRow) -> ProjectView {
    ProjectView {
        id: p.id.clone(),
        name: p.name.clone(),
        slug: p.slug.clone(),
        created_at: iso(p.created_at),
        updated_at: iso(p.updated_at),
    }
}

/// The tenant's project `raw_id`: 400 when malformed, 404 when not the tenant's.
pub async fn project_of(
    store: &TestopsStore,
    caller: &Caller,
    raw_id: &str,
) -> Result<ProjectRow, ApiError> {
    let id = id_or_400(raw_id, "Invalid project ID format")?;
    store.project(caller.tenant_id, &id).await?.ok_or_else(|| {
        ApiError::not_found("No project with this id in your organization")
            .with_title("Project not found")
    })
}

fn duplicate() -> ApiError {
    ApiError::conflict("A project with this name already exists")
        .with_title("Project already exists")
}

fn project_name(name: Option<&Value>) -> Result<String, ApiError> {
    match name.and_then(Value::as_str).map(str::trim) {
        Some(n)
            if (1..=100).contains(&n.chars().count())
                && !crate::model::slug::slugify(n).is_empty() =>
        {
            Ok(n.to_string())
        }
        _ => Err(ApiError::bad_request(
            "name must be 1 to 100 characters, with at least one letter or digit",
        )
        .with_title("Invalid project name")),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProjectList {
    success: bool,
    projects: Vec<ProjectView>,
}

/// Your organisation's projects, oldest first.
#[utoipa::path(get, path = "/api/projects", tag = "projects", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = ProjectList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<ProjectList>, ApiError> {
    let projects = store
        .projects(caller.tenant_id)
        .await?
        .iter()
        .map(view)
        .collect();
    Ok(Json(ProjectList {
        success: true,
        projects,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewProject {
    /// 1–100 characters; its slug must be unique in the organisation.
    name: Option<Value>,
}

#[derive(Serialize, ToSchema)]
pub struct OneProject {
    success: bool,
    project: ProjectView,
}

/// Create a project (admins and developers). The plan limits how many.
#[utoipa::path(post, path = "/api/projects", tag = "projects", request_body = NewProject, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, body = OneProject), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Viewer, or the plan's project limit"), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    AppJson(req): AppJson<NewProject>,
) -> Result<(StatusCode, Json<OneProject>), ApiError> {
    caller.require_writer()?;
    let name = project_name(req.name.as_ref())?;
    let org = organization_of(&state, &store, caller.tenant_id).await?;
    let limit = org.plan().limits().max_projects;
    let current = store.project_count(caller.tenant_id).await?;
    if current >= limit {
        let message = format!(
            "Your {} plan allows {limit} project(s) per organization. Upgrade to add more.",
            org.plan
        );
        return Err(
            plan_limit("Project limit exceeded", message, current, limit)
                .with_extra("limit", limit.into())
                .with_extra("current", current.into()),
        );
    }
    let now = platform::store::now();
    let row = ProjectRow {
        id: crate::model::id::new_id(),
        tenant_id: caller.tenant_id,
        slug: crate::model::slug::slugify(&name),
        name,
        docker_image: None,
        target_urls: json!({"dev": null, "staging": null, "prod": null}).to_string(),
        default_test_folder: "all".into(),
        auto_quarantine_enabled: false,
        network: json!({"mode": "off", "hosts": []}).to_string(),
        created_at: now,
        updated_at: now,
    };
    match store.create_project(&row).await {
        Ok(()) => {}
        Err(e) if is_duplicate(&e) => return Err(duplicate()),
        Err(e) => return Err(ApiError::from(e.context("creating the project"))),
    }
    caller
        .audit(
            &state.platform,
            "project.created",
            format!("project:{}", row.id),
            json!({"name": row.name}),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(OneProject {
            success: true,
            project: view(&row),
        }),
    ))
}

/// One project.
#[utoipa::path(get, path = "/api/projects/{projectId}", tag = "projects", params(("projectId" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = OneProject), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OneProject>, ApiError> {
    let project = project_of(&store, &caller, &id).await?;
    Ok(Json(OneProject {
        success: true,
        project: view(&project),
    }))
}

/// Rename a project (ours; admins and developers).
#[utoipa::path(patch, path = "/api/projects/{projectId}", tag = "projects", request_body = NewProject, params(("projectId" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = OneProject), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn rename(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(id): Path<String>,
    AppJson(req): AppJson<NewProject>,
) -> Result<Json<OneProject>, ApiError> {
    caller.require_writer()?;
    let project = project_of(&store, &caller, &id).await?;
    let name = project_name(req.name.as_ref())?;
    let update = ProjectSettingsUpdate {
        name: Some(name.clone()),
        ..Default::default()
    };
    let updated = match store
        .update_project(caller.tenant_id, &project.id, update)
        .await
    {
        Ok(p) => p.ok_or_else(|| ApiError::not_found("Project not found"))?,
        Err(e) if is_duplicate(&e) => return Err(duplicate()),
        Err(e) => return Err(ApiError::from(e.context("renaming the project"))),
    };
    caller
        .audit(
            &state.platform,
            "project.renamed",
            format!("project:{}", project.id),
            json!({"from": project.name, "to": name}),
        )
        .await?;
    Ok(Json(OneProject {
        success: true,
        project: view(&updated),
    }))
}

/// Delete a project and its environment variables (ours; admins).
#[utoipa::path(delete, path = "/api/projects/{projectId}", tag = "projects", params(("projectId" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = MessageResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MessageResponse>, ApiError> {
    caller.require_admin()?;
    let project = project_of(&store, &caller, &id).await?;
    store.delete_project(caller.tenant_id, &project.id).await?;
    caller
        .audit(
            &state.platform,
            "project.deleted",
            format!("project:{}", project.id),
            json!({"name": project.name}),
        )
        .await?;
    Ok(MessageResponse::ok("Project deleted successfully"))
}

fn settings_view(p: &ProjectRow) -> Value {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    json!({
        "dockerImage": p.docker_image,
        "targetUrls": parse(&p.target_urls),
        "defaultTestFolder": p.default_test_folder,
        "autoQuarantineEnabled": p.auto_quarantine_enabled,
        "network": parse(&p.network),
    })
}

#[derive(Serialize, ToSchema)]
pub struct SettingsResponse {
    success: bool,
    /// `{dockerImage, targetUrls{dev,staging,prod}, defaultTestFolder, autoQuarantineEnabled,
    /// network{mode: off|hosts|open, hosts[]}}`.
    #[schema(value_type = Object)]
    settings: Value,
    /// On `/api/project-settings` only: the project these are.
    #[serde(rename = "projectId", skip_serializing_if = "Option::is_none")]
    project_id: Option<String>,
}

/// A project's run settings.
#[utoipa::path(get, path = "/api/projects/{projectId}/settings", tag = "projects", params(("projectId" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = SettingsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_settings(
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SettingsResponse>, ApiError> {
    let project = project_of(&store, &caller, &id).await?;
    Ok(Json(SettingsResponse {
        success: true,
        settings: settings_view(&project),
        project_id: None,
    }))
}

/// The first project's run settings (the vendor's single-project shortcut).
#[utoipa::path(get, path = "/api/project-settings", tag = "projects", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = SettingsResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn first_settings(
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<SettingsResponse>, ApiError> {
    let project = store
        .projects(caller.tenant_id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            ApiError::not_found("Your organization has no project yet: create one")
                .with_title("Project not found")
        })?;
    let mut settings = settings_view(&project);
    settings["projectId"] = project.id.clone().into();
    Ok(Json(SettingsResponse {
        success: true,
        settings,
        project_id: Some(project.id),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct SettingsUpdate {
    /// A runtime name (see `redoubt admin add-runtime`), or null.
    #[serde(default, deserialize_with = "crate::api::present")]
    docker_image: Option<Value>,
    /// `{dev, staging, prod}`: http(s) URLs or null.
    target_urls: Option<Value>,
    default_test_folder: Option<Value>,
    auto_quarantine_enabled: Option<Value>,
    /// `{mode: off|hosts|open, hosts: ["host" | "host:port"]}`.
    network: Option<Value>,
}

fn is_url(s: &str) -> bool {
    (s.starts_with("http://") || s.starts_with("https://"))
        && s.len() <= 2048
        && !s.chars().any(char::is_whitespace)
        && s.split("://").nth(1).is_some_and(|r| !r.is_empty())
}

fn is_host(s: &str) -> bool {
    let (host, port) = s.rsplit_once(':').map_or((s, None), |(h, p)| (h, Some(p)));
    !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0))
}

/// Change a project's run settings (admins and developers); fields left out keep their value.
#[utoipa::path(put, path = "/api/projects/{projectId}/settings", tag = "projects", request_body = SettingsUpdate, params(("projectId" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = SettingsResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(id): Path<String>,
    AppJson(req): AppJson<SettingsUpdate>,
) -> Result<Json<SettingsResponse>, ApiError> {
    caller.require_writer()?;
    let project = project_of(&store, &caller, &id).await?;
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut update = ProjectSettingsUpdate::default();
    match &req.docker_image {
        None => {}
        Some(Value::Null) => update.docker_image = Some(None),
        Some(Value::String(s)) if s.is_empty() => update.docker_image = Some(None),
        Some(Value::String(s))
            if s.len() <= 200 && !s.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            update.docker_image = Some(Some(s.clone()))
        }
        Some(_) => problems.push((
            "dockerImage".into(),
            "must be a runtime name (no spaces, at most 200 characters) or null".into(),
        )),
    }
    if let Some(urls) = &req.target_urls {
        let mut merged: serde_json::Map<String, Value> =
            serde_json::from_str(&project.target_urls).unwrap_or_default();
        match urls.as_object() {
            Some(map) => {
                for (env, url) in map {
                    if !["dev", "staging", "prod"].contains(&env.as_str()) {
                        problems.push((
                            format!("targetUrls.{env}"),
                            "unknown environment (dev, staging, prod)".into(),
                        ));
                        continue;
                    }
                    match url {
                        Value::Null => {
                            merged.insert(env.clone(), Value::Null);
                        }
                        Value::String(s) if s.is_empty() => {
                            merged.insert(env.clone(), Value::Null);
                        }
                        Value::String(s) if is_url(s) => {
                            merged.insert(env.clone(), url.clone());
                        }
                        _ => problems.push((
                            format!("targetUrls.{env}"),
                            "must be an http(s) URL or null".into(),
                        )),
                    }
                }
                update.target_urls = Some(Value::Object(merged).to_string());
            }
            None => problems.push((
                "targetUrls".into(),
                "must be an object {dev, staging, prod}".into(),
            )),
        }
    }
    if let Some(folder) = &req.default_test_folder {
        match folder.as_str() {
            Some(f)
                if !f.is_empty()
                    && f.len() <= 500
                    && !f.split('/').any(|part| part == "..")
                    && !f.starts_with('/') =>
            {
                update.default_test_folder = Some(f.to_string())
            }
            _ => problems.push((
                "defaultTestFolder".into(),
                "must be a relative folder of the workspace (no `..`), or \"all\"".into(),
            )),
        }
    }
    update.auto_quarantine_enabled = bool_field(
        &mut problems,
        "autoQuarantineEnabled",
        req.auto_quarantine_enabled.as_ref(),
    );
    if let Some(network) = &req.network {
        let mode = network
            .get("mode")
            .and_then(Value::as_str)
            .filter(|m| NETWORK_MODES.contains(m));
        let hosts: Option<Vec<String>> = match network.get("hosts") {
            None | Some(Value::Null) => Some(Vec::new()),
            Some(Value::Array(list)) if list.len() <= 50 => list
                .iter()
                .map(|h| {
                    h.as_str()
                        .filter(|h| is_host(h))
                        .map(str::to_ascii_lowercase)
                })
                .collect(),
            Some(_) => None,
        };
        match (mode, hosts) {
            (Some(mode), Some(hosts)) if mode != "hosts" || !hosts.is_empty() => {
                update.network = Some(json!({"mode": mode, "hosts": hosts}).to_string())
            }
            (Some(_), Some(_)) => problems.push((
                "network.hosts".into(),
                "mode \"hosts\" needs at least one host".into(),
            )),
            (None, _) => problems.push((
                "network.mode".into(),
                format!("must be one of {}", NETWORK_MODES.join(", ")),
            )),
            (_, None) => problems.push((
                "network.hosts".into(),
                "must be up to 50 host names, each optionally with :port".into(),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(invalid_payload("Invalid settings", problems));
    }
    let updated = store
        .update_project(caller.tenant_id, &project.id, update)
        .await?
        .ok_or_else(|| ApiError::not_found("Project not found"))?;
    let settings = settings_view(&updated);
    caller
        .audit(
            &state.platform,
            "project.settings_updated",
            format!("project:{}", project.id),
            settings.clone(),
        )
        .await?;
    Ok(Json(SettingsResponse {
        success: true,
        settings,
        project_id: None,
    }))
}
