//! Black-box tests: the real server on 127.0.0.1:0, spoken to over HTTP, on SQLite or on
//! PostgreSQL when `TEST_DATABASE_URL` is set. One binary for every module (faster to link).

mod helpers;

mod audit;
mod auth;
mod classify;
mod cli;
mod enclave;
mod enclave_billing;
mod envelopes;
mod guard_admin;
mod guard_login;
mod input;
mod interactions;
mod jobs;
mod kit;
mod lifecycle;
mod live;
mod migrations;
mod netwatch;
mod netwatch_agent;
mod netwatch_insight;
mod netwatch_reports;
mod policies;
mod privacy;
mod rate_limits;
mod testops_access;
mod testops_members;
mod testops_projects;
mod vision;
mod vision_input;
mod vision_s3;
mod vision_video;
mod webhooks;
