//! Redis GCRA store: the same algorithm as `gcra::decide`, run atomically in a Lua script with
//! Redis's own clock, so every node sharing the server shares one budget.

use redis::aio::ConnectionManager;
use redis::Script;

use super::gcra::{Decision, Quota};

const GCRA_LUA: &str = r#"
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = tonumber(redis.call('GET', key))
if tat == nil or tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - interval * limit
if now < allow_at then
  return {0, 0, tat - now, allow_at - now}
end
redis.call('SET', key, new_tat, 'PX', new_tat - now)
local used = math.ceil((new_tat - now) / interval)
local remaining = limit - used
if remaining < 0 then remaining = 0 end
return {1, remaining, new_tat - now, 0}
"#;

#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    script: Script,
    namespace: String,
}

impl RedisStore {
    pub async fn connect(url: &str, namespace: &str) -> anyhow::Result<RedisStore> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new(client).await?;
        Ok(RedisStore {
            conn,
            script: Script::new(GCRA_LUA),
            namespace: namespace.to_string(),
        })
    }

    pub async fn check(&self, key: &str, quota: Quota) -> anyhow::Result<Decision> {
        let mut conn = self.conn.clone();
        let (allowed, remaining, reset_after_ms, retry_after_ms): (i64, i64, i64, i64) = self
            .script
            .key(format!("{}:rl:{key}", self.namespace))
            .arg(quota.limit)
            .arg(quota.interval_ms())
            .invoke_async(&mut conn)
            .await?;
        Ok(Decision {
            allowed: allowed == 1,
            limit: quota.limit,
            remaining: remaining.max(0) as u32,
            reset_after_ms: reset_after_ms.max(0) as u64,
            retry_after_ms: retry_after_ms.max(0) as u64,
        })
    }
}
