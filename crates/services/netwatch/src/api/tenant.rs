//! GDPR: `GET /tenant/export` (admins, 1 per hour) → a ZIP of machine-readable JSON (alerts,
//! proof trails, devices, licences, whitelist, rules, suppressions, settings, audit log) with a
//! SHA-256 manifest (Art. 15, 20); `DELETE /tenant` `{"confirm": "<tenant name>"}` (admins)
//! erases every netwatch row of the tenant (Art. 17, 28(3)(g)) — the audit log keeps the record
//! of the erasure itself.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use platform::audit::AuditEvent;
use platform::http::fields::Field;
use platform::http::ApiError;
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::api::export_archive::ExportArchive;
use crate::auth::Admin;
use crate::store::{ExportedEntry, NetwatchStore};
use crate::ErrorBody;

/// Rows read per query while exporting.
const PAGE: i64 = 2_000;

/// Writes `items` as one element each of a JSON array being streamed.
async fn push_items<T: Serialize>(
    zip: &ExportArchive,
    first: &mut bool,
    items: impl Iterator<Item = T>,
) -> Result<(), ApiError> {
    let mut chunk = Vec::with_capacity(1 << 16);
    for item in items {
        chunk.extend_from_slice(if *first { b"[\n" } else { b",\n" });
        *first = false;
        serde_json::to_writer(&mut chunk, &item).map_err(|e| anyhow::anyhow!(e))?;
    }
    zip.write(chunk).await
}

async fn close_array(zip: &ExportArchive, first: bool) -> Result<(), ApiError> {
    zip.write(if first {
        b"[]\n".to_vec()
    } else {
        b"\n]\n".to_vec()
    })
    .await?;
    zip.end().await
}

fn pretty<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec_pretty(value).map_err(|e| anyhow::anyhow!(e).into())
}

/// Everything netwatch holds for the tenant, as a ZIP.
#[utoipa::path(get, path = "/api/v1/tenant/export", tag = "gdpr", security(("bearer" = [])),
    responses((status = 200, description = "The archive; manifest.json lists each file's SHA-256", content_type = "application/zip", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn export(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Admin,
) -> Result<Response, ApiError> {
    let tenant_id = user.tenant_id();
    let now = chrono::Utc::now();
    let zip = ExportArchive::start();
    let mut counts = serde_json::Map::new();

    zip.begin("alerts.json").await?;
    let (mut first, mut after, mut n) = (true, None, 0usize);
    loop {
        let rows = store.alerts_after(tenant_id, after, PAGE).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        n += rows.len();
        push_items(
            &zip,
            &mut first,
            rows.into_iter().map(crate::api::alerts::export_json),
        )
        .await?;
    }
    close_array(&zip, first).await?;
    counts.insert("alerts".into(), n.into());

    // Trails: one object per trace, its entries in order, each with its hashes.
    zip.begin("proof_trails.json").await?;
    let (mut first, mut after, mut traces) = (true, None, 0usize);
    let mut current: Vec<ExportedEntry> = Vec::new();
    loop {
        let rows = store
            .trail_entries_after(tenant_id, after, PAGE * 3)
            .await?;
        let Some(last) = rows.last() else { break };
        after = Some((last.trace_id, last.seq));
        let mut done = Vec::new();
        for row in rows {
            if current.first().is_some_and(|e| e.trace_id != row.trace_id) {
                done.push(trail_json(std::mem::take(&mut current)));
            }
            current.push(row);
        }
        traces += done.len();
        push_items(&zip, &mut first, done.into_iter()).await?;
    }
    if !current.is_empty() {
        traces += 1;
        push_items(&zip, &mut first, std::iter::once(trail_json(current))).await?;
    }
    close_array(&zip, first).await?;
    counts.insert("proof_trails".into(), traces.into());

    let devices = store.agents(tenant_id).await?;
    counts.insert("devices".into(), devices.len().into());
    zip.add("devices.json", pretty(&devices)?).await?;
    let licenses: Vec<Value> = store
        .licenses(tenant_id)
        .await?
        .into_iter()
        .map(|l| {
            json!({"id": l.id, "key_prefix": l.key_prefix, "plan": l.plan, "status": l.status,
            "expires_at": l.expires_at, "created_at": l.created_at})
        })
        .collect();
    counts.insert("licenses".into(), licenses.len().into());
    zip.add("licenses.json", pretty(&licenses)?).await?;
    let whitelist = store.whitelist(tenant_id).await?;
    counts.insert("whitelist".into(), whitelist.len().into());
    zip.add("whitelist.json", pretty(&whitelist)?).await?;
    let rules: Vec<Value> = store
        .rule_overrides(tenant_id)
        .await?
        .into_iter()
        .map(|r| {
            json!({"rule_name": r.rule_name, "enabled": r.enabled,
            "thresholds": serde_json::from_str::<Value>(&r.thresholds).unwrap_or(Value::Null)})
        })
        .collect();
    zip.add("rule_overrides.json", pretty(&rules)?).await?;
    let suppressions = store.suppressions(tenant_id).await?;
    zip.add("suppressions.json", pretty(&suppressions)?).await?;
    let settings = store.compliance_settings(tenant_id).await?;
    let billing = store.billing(tenant_id).await?.map(|b| {
        json!({"stripe_customer_id": b.stripe_customer_id, "subscription_id": b.subscription_id, "plan": b.plan,
            "billing_cycle": b.billing_cycle, "status": b.status, "current_period_end": b.current_period_end})
    });
    zip.add(
        "settings.json",
        pretty(&json!({"compliance": settings, "billing": billing}))?,
    )
    .await?;

    zip.begin("audit_log.json").await?;
    // Pages run newest first by offset: an entry written meanwhile shifts them, so anything at
    // or above the last seq written is a repeat and skipped (nothing can be skipped over).
    let (mut first, mut offset, mut entries) = (true, 0i64, 0usize);
    let mut below = i64::MAX;
    loop {
        let (page, _) = state.platform.audit().page(tenant_id, 500, offset).await?;
        if page.is_empty() {
            break;
        }
        offset += page.len() as i64;
        let fresh: Vec<Value> = page
            .iter()
            .filter(|e| e.seq < below)
            .map(|e| json!(e))
            .collect();
        below = page.iter().map(|e| e.seq).min().unwrap_or(below).min(below);
        entries += fresh.len();
        push_items(&zip, &mut first, fresh.into_iter()).await?;
    }
    close_array(&zip, first).await?;
    counts.insert("audit_log".into(), entries.into());

    let key = crate::trail::signer(state.platform.master_key());
    let archive = zip
        .finish(json!({"format": "redoubt-netwatch-export/1", "tenant_id": tenant_id, "generated_at": now,
            "counts": counts, "proof_trail_public_key": key.public_key(), "proof_trail_key_id": key.key_id(),
            "notes": "JSON files are UTF-8; times are RFC 3339 UTC, alert timestamps Unix seconds. Each trail's entries chain with SHA-256 over RFC 8785 canonical JSON (see docs/services.md)."}))
        .await?;
    let (archive, sha256) = (archive.bytes, archive.sha256);
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: user.email().to_string(),
        action: "tenant.export".into(),
        target: format!("tenant:{tenant_id}"),
        details: json!({"bytes": archive.len(), "sha256": sha256, "counts": counts}),
    };
    state.platform.audit().append(tenant_id, event).await?;
    let mut response = archive.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    let name = format!(
        "attachment; filename=\"netwatch-export-{}.zip\"",
        now.format("%Y%m%d-%H%M%S")
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&name).expect("ascii"),
    );
    Ok(response)
}

#[derive(Serialize)]
struct TrailOut {
    trace_id: uuid::Uuid,
    head_hash: Option<String>,
    /// Each entry's `data` is inside its `canonical` text (`hash = sha256(prev_hash ‖ canonical)`).
    entries: Vec<ExportedEntry>,
}

/// One trace's entries (in order, at least one) as exported.
fn trail_json(entries: Vec<ExportedEntry>) -> TrailOut {
    TrailOut {
        trace_id: entries[0].trace_id,
        head_hash: entries.last().map(|e| e.hash.clone()),
        entries,
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct EraseRequest {
    /// The tenant's name, exactly: the confirmation that this is meant.
    #[serde(default)]
    #[schema(value_type = String)]
    confirm: Field<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Erased {
    tenant_id: uuid::Uuid,
    /// Rows deleted per table.
    #[schema(value_type = Object)]
    erased: serde_json::Map<String, Value>,
    erased_at: chrono::DateTime<chrono::Utc>,
}

/// Erase all of the tenant's netwatch data (admins). Irreversible.
#[utoipa::path(delete, path = "/api/v1/tenant", tag = "gdpr", request_body = EraseRequest, security(("bearer" = [])),
    responses((status = 200, body = Erased), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn erase(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Admin,
    body: axum::body::Bytes,
) -> Result<Json<Erased>, ApiError> {
    // Any body that is not the confirmation is a 400, a missing or non-JSON one included.
    let body: EraseRequest = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(
            "Send {\"confirm\": \"<tenant name>\"} to erase this tenant: nothing was erased",
        )
    })?;
    let tenant = state
        .platform
        .accounts()
        .tenant_by_id(user.tenant_id())
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| ApiError::not_found("Tenant not found"))?;
    let confirm = body
        .confirm
        .required("confirm", "a string (the tenant's name)")?;
    if confirm != tenant.name {
        return Err(ApiError::bad_request(
            "confirm must be this tenant's name, exactly: nothing was erased",
        ));
    }
    let erased: serde_json::Map<String, Value> = store
        .erase_tenant(tenant.id)
        .await?
        .into_iter()
        .map(|(table, n)| (table.to_string(), n.into()))
        .collect();
    let now = chrono::Utc::now();
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: user.email().to_string(),
        action: "tenant.erase".into(),
        target: format!("tenant:{}", tenant.id),
        details: json!({"erased": erased}),
    };
    state.platform.audit().append(tenant.id, event).await?;
    Ok(Json(Erased {
        tenant_id: tenant.id,
        erased,
        erased_at: now,
    }))
}
