//! `Recent<K, V>`: rows read moments ago, kept for a short time so that a hot read (the API key
//! and customer behind every request) is not a database round trip each time. The owner of the
//! rows forgets an entry when it writes one; other nodes see the write once `ttl` has passed.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// At most this many entries; when full, the map is emptied (cheaper than tracking age order,
/// and only reached when more distinct keys are in use than a node ever serves at once).
const CAPACITY: usize = 10_000;

#[derive(Clone)]
pub struct Recent<K, V> {
    ttl: Duration,
    entries: Arc<Mutex<HashMap<K, (Instant, V)>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Recent<K, V> {
    pub fn new(ttl: Duration) -> Recent<K, V> {
        Recent {
            ttl,
            entries: Arc::default(),
        }
    }

    /// The value stored for `key` less than `ttl` ago.
    pub fn get(&self, key: &K) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((at, value)) if at.elapsed() < self.ttl => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub fn put(&self, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// Forgets every entry whose value matches (after a write to that row).
    pub fn forget_where(&self, matches: impl Fn(&V) -> bool) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (_, value)| !matches(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_served_until_its_ttl_and_forgotten_on_write() {
        let recent = Recent::new(Duration::from_millis(50));
        recent.put("k", 1);
        assert_eq!(recent.get(&"k"), Some(1));
        recent.forget_where(|v| *v == 1);
        assert_eq!(recent.get(&"k"), None);
        recent.put("k", 2);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(recent.get(&"k"), None, "expired");
    }

    #[test]
    fn a_full_map_starts_again() {
        let recent = Recent::new(Duration::from_secs(60));
        for i in 0..CAPACITY + 1 {
            recent.put(i, i);
        }
        assert_eq!(recent.get(&0), None);
        assert_eq!(recent.get(&CAPACITY), Some(CAPACITY));
    }
}
