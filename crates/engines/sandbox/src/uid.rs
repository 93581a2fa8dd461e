//! Host uids for sandboxes: each live sandbox gets one no other sandbox has, so a process that
//! escaped its namespaces would still be a stranger to every other session's files.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub(crate) struct UidPool {
    base: u32,
    count: u32,
    taken: Arc<Mutex<BTreeSet<u32>>>,
}

impl UidPool {
    pub fn new(base: u32, count: u32) -> UidPool {
        UidPool {
            base,
            count: count.max(1),
            taken: Arc::default(),
        }
    }

    /// A uid no live sandbox has; the caller's own uid when not running as root.
    pub fn take(&self) -> u32 {
        if !crate::host::is_root() {
            return nix::unistd::getuid().as_raw();
        }
        let mut taken = self.taken.lock().unwrap();
        let start = rand::random::<u32>() % self.count;
        for step in 0..self.count {
            let uid = self.base + (start + step) % self.count;
            if taken.insert(uid) {
                return uid;
            }
        }
        // Every uid is in use (more live sandboxes than the range): share one rather than fail.
        self.base
    }

    pub fn give_back(&self, uid: u32) {
        self.taken.lock().unwrap().remove(&uid);
    }
}
