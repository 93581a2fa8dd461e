//! Turns a sandbox teardown into the 8 evidence records of a CDP, issues and self-verifies the
//! CDP, and decides whether the destruction was clean. Each record states what was done and
//! what was checked; a step whose check failed says `"completed": false` and makes the session
//! unclean — it is never claimed.

use sandbox::Teardown;
use serde_json::{json, Value};

/// Why a session is being destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// `DELETE /v1/sessions/:id`.
    Deleted,
    /// Its TTL elapsed (the reaper).
    Expired,
    /// Found live in the database after a restart of this node; its sandbox's leftovers were
    /// torn down by convention.
    Recovered,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Deleted => "deleted",
            Reason::Expired => "ttl_expired",
            Reason::Recovered => "recovered_after_restart",
        }
    }

    /// The session status once destroyed.
    pub fn status(self, clean: bool) -> &'static str {
        match (self, clean) {
            (Reason::Deleted, true) => "destroyed",
            (_, true) => "expired",
            (_, false) => "expired_unclean",
        }
    }
}

/// What the session was, for the records.
pub struct SessionFacts<'a> {
    pub session_id: &'a str,
    pub created_at: &'a str,
    pub destroyed_at: &'a str,
    pub hostname: Option<&'a str>,
    pub tmpfs_noswap: Option<bool>,
    pub input_buffers_zeroized: u64,
    pub reason: Reason,
}

pub struct Issued {
    pub cdp: proof::cdp::Cdp,
    pub evidence: Vec<Value>,
    pub clean: bool,
}

pub fn issue(facts: &SessionFacts, teardown: &Teardown) -> Issued {
    let t = teardown;
    let namespace = json!({
        "step": 1, "subsystem": "eee_namespace",
        "did": "SIGKILL to every process of the session's cgroup; waited for the group to empty",
        "checked": "cgroup.procs empty",
        "cgroup_mode": t.processes.cgroup_mode, "processes_killed": t.processes.killed,
        "processes_remaining": t.processes.remaining, "waited_us": t.processes.waited_us,
        "namespaces_per_exec": ["user", "pid", "mount", "net", "ipc", "uts", "cgroup"],
        "hostname": facts.hostname,
        "completed": t.processes.remaining == 0,
    });
    // After a crash, the mount went with the crashed process's private mount namespace: what
    // recovery did is look for it (and for any file at the mount point), not unmount it.
    let did = if t.mount.was_mounted {
        "umount2 of the session tmpfs after the wipe; rmdir of its mount point"
    } else if t.mount.host_namespace_mount {
        "found the session tmpfs still mounted in the host's namespace (left by a server without private mounts): wiped and unmounted it there; rmdir of its mount point"
    } else if t.mount.private_namespace {
        "found no mount at the mount point, in the host's namespace nor in the one that holds session mounts (a crashed server's private namespace takes its mounts with it); rmdir of its mount point"
    } else {
        "found no mount at the mount point; rmdir of it"
    };
    let tmpfs = json!({
        "step": 2, "subsystem": "eee_tmpfs",
        "did": did,
        "checked": "no entry at the mount point in the mountinfo of the namespace that holds session mounts",
        "mount": t.mount, "tmpfs_noswap": facts.tmpfs_noswap,
        "completed": t.mount.absent_from_mountinfo && t.mount.error.is_none(),
    });
    let wipe = &t.wipe;
    let memory = json!({
        "step": 3, "subsystem": "eee_memory",
        "did": format!("overwrote every data byte of every file in {} passes ({})", wipe.passes, wipe.pattern),
        "checked": "every overwritten block read back as zeros; nothing left after unlinking",
        "files": wipe.files, "directories": wipe.directories, "other_entries": wipe.other_entries,
        "bytes_overwritten": wipe.bytes_overwritten, "bytes_read_back": wipe.bytes_read_back, "hole_bytes": wipe.hole_bytes,
        "readback_all_zero": wipe.readback_all_zero, "entries_left": wipe.entries_left, "errors": wipe.errors,
        "swap_active": t.swap_active, "tmpfs_noswap": facts.tmpfs_noswap, "init_on_free": t.init_on_free,
        "sanitization": "NIST SP 800-88 Clear: logical overwrite of tmpfs-backed session data (not Purge)",
        "completed": wipe.readback_all_zero && wipe.entries_left == 0,
    });
    let uid_left = t.uid.as_ref().map(|u| u.processes_left);
    let identity = json!({
        "step": 5, "subsystem": "dire_identity",
        "did": "released the session's dedicated host uid; zeroized the service's copies of input_data after each exec",
        "checked": "no live process of that uid anywhere on the host",
        "host_uid": t.uid.as_ref().map(|u| u.uid), "host_uid_processes_left": uid_left,
        "input_buffers_zeroized": facts.input_buffers_zeroized,
        "completed": uid_left.unwrap_or(0) == 0,
    });
    let forensic = json!({
        "step": 6, "subsystem": "fgx_forensic",
        "did": "hashed every block as read back into a Merkle tree (SHA-256, RFC 6962 leaf/node prefixes)",
        "checked": "no block differed from zero",
        "merkle_root": format!("sha256:{}", wipe.merkle_root), "blocks": wipe.blocks, "nonzero_blocks": wipe.nonzero_blocks,
        "completed": wipe.nonzero_blocks == 0 && wipe.errors.is_empty(),
    });
    let lifecycle = json!({
        "step": 8, "subsystem": "capsule_destroy",
        "did": "removed the session's cgroups; marked the session destroyed",
        "checked": "the cgroup directories no longer exist",
        "reason": facts.reason.as_str(), "cgroup": t.cgroup, "teardown_us": t.duration_us,
        "completed": t.cgroup.removed && t.cgroup.error.is_none(),
    });
    let placeholder = String::new();
    let hashes: [String; 8] = [
        proof::cdp::evidence_hash(&namespace),
        proof::cdp::evidence_hash(&tmpfs),
        proof::cdp::evidence_hash(&memory),
        placeholder.clone(),
        proof::cdp::evidence_hash(&identity),
        proof::cdp::evidence_hash(&forensic),
        placeholder,
        proof::cdp::evidence_hash(&lifecycle),
    ];
    let (mut cdp, key) = proof::cdp::issue(
        facts.session_id,
        facts.created_at,
        facts.destroyed_at,
        hashes,
    );
    // The key's evidence is about what happened after signing, and the seal's about checking
    // the signed chain: both are recorded now (evidence hashes are outside the signed chain).
    let keys = json!({
        "step": 4, "subsystem": "dire_keys",
        "did": "generated a per-session Ed25519 key, made one signature, zeroized the seed and dropped the key (ZeroizeOnDrop)",
        "checked": "the seed buffer read back as zeros",
        "key": key, "completed": key.seed_zeroized && key.signatures_made == 1,
    });
    let verification = proof::cdp::verify(&serde_json::to_value(&cdp).expect("a CDP serialises"));
    let seal = json!({
        "step": 7, "subsystem": "rzl_audit",
        "did": "recomputed the 8-step chain and verified the signature with the published key",
        "checked": "chain_integrity, final_hash and signature",
        "checks": verification.checks, "failures": verification.failures,
        "completed": verification.valid,
    });
    cdp.chain[3].evidence_hash = proof::cdp::evidence_hash(&keys);
    cdp.chain[6].evidence_hash = proof::cdp::evidence_hash(&seal);
    let evidence = vec![
        namespace, tmpfs, memory, keys, identity, forensic, seal, lifecycle,
    ];
    let clean = evidence.iter().all(|r| r["completed"] == json!(true));
    Issued {
        cdp,
        evidence,
        clean,
    }
}
