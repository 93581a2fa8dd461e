//! In-process GCRA store: one TAT per key, for a single node.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::gcra::{decide, Decision, Quota};

#[derive(Clone)]
pub struct MemoryStore {
    epoch: Instant,
    tats: Arc<Mutex<HashMap<String, u64>>>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore {
            epoch: Instant::now(),
            tats: Arc::default(),
        }
    }
}

impl MemoryStore {
    fn now_ms(&self) -> u64 {
        // A monotonic clock: wall-clock jumps never hand out or take away budget.
        self.epoch.elapsed().as_millis() as u64
    }

    pub fn check(&self, key: &str, quota: Quota) -> Decision {
        let now = self.now_ms();
        let mut tats = self.tats.lock().expect("rate-limit map poisoned");
        let (decision, tat) = decide(tats.get(key).copied(), now, quota);
        tats.insert(key.to_string(), tat);
        decision
    }

    /// Forgets keys whose TAT has passed: their next request starts from a full budget anyway.
    pub fn prune(&self) {
        let now = self.now_ms();
        self.tats
            .lock()
            .expect("rate-limit map poisoned")
            .retain(|_, tat| *tat > now);
    }

    pub fn len(&self) -> usize {
        self.tats.lock().expect("rate-limit map poisoned").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
