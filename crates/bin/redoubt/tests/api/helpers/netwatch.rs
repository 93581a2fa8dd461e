//! netwatch helpers: a netwatch-only server, licences, agents enrolled through the real
//! endpoint, dashboard users logged in through the Supabase-style grant, and detections made by
//! replaying the committed captures through the real engine.

use std::path::PathBuf;

use ::netwatch::model::Plan;
use platform::ServiceName;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{spawn_with, AppOptions, TestApp, PASSWORD};

pub fn netwatch_only() -> AppOptions {
    AppOptions::default().services(&[ServiceName::Netwatch])
}

pub async fn spawn_netwatch() -> TestApp {
    spawn_with(netwatch_only()).await
}

pub fn captures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../engines/netdetect/captures/dev")
}

/// The engine's detections on one committed capture, as the agent uploads them.
pub fn detections_of(capture: &str) -> Vec<Value> {
    let dir = captures();
    let labels = netdetect::replay::read_labels(&dir).unwrap();
    let label = labels.iter().find(|l| l.name() == capture).unwrap();
    let run = netdetect::replay::replay(
        &dir,
        label,
        netdetect::EngineConfig::default(),
        netdetect::Model::shipped(),
        1e9,
        false,
    )
    .unwrap();
    run.detections
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut v = serde_json::to_value(d).unwrap();
            v["upload_id"] = json!(format!("{capture}-{i}"));
            v
        })
        .collect()
}

impl TestApp {
    /// A licence key for `tenant` (created if absent).
    pub async fn license(
        &self,
        tenant: &str,
        plan: Plan,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> (Uuid, String) {
        let (t, _) = self
            .platform
            .accounts()
            .ensure_tenant(tenant)
            .await
            .unwrap();
        let issued = ::netwatch::licenses::create_license(&self.platform, t.id, plan, expires_at)
            .await
            .unwrap();
        (t.id, issued["license_key"].as_str().unwrap().to_string())
    }

    /// Enrols an agent with `key` through `POST /agents/auth`: its token.
    pub async fn agent_token(&self, key: &str, agent_id: &str) -> String {
        let r = self
            .client(ServiceName::Netwatch)
            .post(
                "/api/v1/agents/auth",
                json!({
            "license_key": key, "agent_id": agent_id, "hostname": format!("{agent_id}.local"),
            "os_type": "linux", "agent_version": "0.0.9"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["access_token"].as_str().unwrap().to_string()
    }

    /// A netwatch user with `role`, logged in with the Supabase password grant: its token.
    pub async fn netwatch_user(&self, tenant: &str, email: &str, role: &str) -> String {
        self.user(tenant, email, ServiceName::Netwatch, role).await;
        let r = self
            .client(ServiceName::Netwatch)
            .post(
                "/auth/v1/token?grant_type=password",
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn upload(
        &self,
        agent_token: &str,
        detections: Vec<Value>,
    ) -> super::client::TestResponse {
        self.client(ServiceName::Netwatch)
            .bearer(agent_token)
            .post(
                "/api/v1/agents/detections",
                json!({"detections": detections}),
            )
            .await
    }
}

/// The self-test's synthetic scan, detected now, as the agent uploads it.
pub fn self_test_detections(tag: &str) -> Vec<Value> {
    let now = chrono::Utc::now().timestamp() as f64;
    netdetect::selftest::synthetic_detections(now - 5.0)
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut v = serde_json::to_value(d).unwrap();
            v["upload_id"] = json!(format!("{tag}-{i}"));
            v
        })
        .collect()
}
