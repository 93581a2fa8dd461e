//! Sandboxes armed ahead of their command (`Sandbox::arm`): the same confinement and results as
//! an exec armed on demand, nothing of the server held while waiting, nothing left when a
//! sandbox is destroyed unused.

mod common;

use std::os::unix::fs::MetadataExt;
use std::time::Duration;

use common::*;

/// Host pids whose owner is `uid`.
fn processes_of(uid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok().map(|p| (p, e)))
        .filter(|(_, e)| e.metadata().is_ok_and(|m| m.uid() == uid))
        .map(|(p, _)| p)
        .collect()
}

fn wait_for_processes(uid: u32, n: usize) -> Vec<u32> {
    for _ in 0..200 {
        let found = processes_of(uid);
        if found.len() >= n {
            return found;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    processes_of(uid)
}

#[test]
fn an_armed_sandbox_runs_its_command_like_one_armed_on_demand() {
    let sb = sandbox();
    sb.arm().expect("arm");
    sb.arm().expect("arming twice keeps the first");
    let command = "cat input/data; echo; id -u; hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo err >&2; exit 3";
    let armed = run_with(&sb, command, Some(b"record"), Duration::from_secs(10));
    let on_demand = run_with(&sb, command, Some(b"record"), Duration::from_secs(10));
    for out in [&armed, &on_demand] {
        let stdout = text(&out.stdout);
        assert!(stdout.starts_with("record\n1000\nsbx-"), "{stdout}");
        assert!(
            stdout.contains("tini-static -- /bin/sh -c cat input/data"),
            "{stdout}"
        );
        assert_eq!(text(&out.stderr), "err\n");
        assert_eq!(out.exit_code, 3);
    }
    assert_eq!(armed.stdout, on_demand.stdout, "same sandbox, same view");
    sb.arm().expect("armed again after an exec");
    assert_eq!(text(&run(&sb, "echo again").stdout), "again\n");
    destroy_clean(sb);
}

#[test]
fn a_waiting_sandbox_holds_none_of_the_servers_descriptors() {
    if !nix::unistd::geteuid().is_root() {
        return;
    }
    // Descriptors the server holds (a listening socket, an open file) are not the child's.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let file = tempfile_in_tmp();
    let sb = sandbox();
    sb.arm().expect("arm");
    let waiting = wait_for_processes(sb.host_uid(), 2);
    assert_eq!(
        waiting.len(),
        2,
        "the outer process and the namespace's init"
    );
    // While it enters, the child opens and closes files of its own (uid_map, a socket to bring
    // up lo): wait until it is ready. A descriptor of the server would never go away.
    let held = |pid: u32| -> Vec<u32> {
        let mut fds: Vec<u32> = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        fds.sort();
        fds
    };
    let settled = |fds: &Vec<u32>| fds.is_empty() || *fds == [0, 1, 2, 3, 4];
    let mut seen = Vec::new();
    for _ in 0..200 {
        seen = waiting.iter().map(|p| (*p, held(*p))).collect();
        if seen.iter().all(|(_, fds)| settled(fds)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        seen.iter().all(|(_, fds)| settled(fds)),
        "the waiting sandbox holds {seen:?}"
    );
    drop((listener, file));
    destroy_clean(sb);
}

fn tempfile_in_tmp() -> std::fs::File {
    let path = std::env::temp_dir().join(format!("armed-test-{}", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    file
}

#[test]
fn the_timeout_counts_from_the_command_not_from_arming() {
    let sb = sandbox();
    sb.arm().expect("arm");
    std::thread::sleep(Duration::from_millis(1200));
    let out = run_with(&sb, "sleep 0.3; echo done", None, Duration::from_secs(1));
    assert!(!out.timed_out, "{out:?}");
    assert_eq!(text(&out.stdout), "done\n");
    destroy_clean(sb);
}

#[test]
fn a_sandbox_destroyed_while_armed_leaves_nothing_and_killed_nothing_of_the_session() {
    let sb = sandbox();
    sb.arm().expect("arm");
    let uid = sb.host_uid();
    if nix::unistd::geteuid().is_root() {
        assert_eq!(wait_for_processes(uid, 2).len(), 2);
    }
    let teardown = destroy_clean(sb);
    assert_eq!(
        teardown.processes.killed, 0,
        "the waiting sandbox ran nothing"
    );
    if nix::unistd::geteuid().is_root() {
        assert_eq!(processes_of(uid), Vec::<u32>::new());
    }
}

#[test]
fn arming_a_destroyed_sandbox_is_refused() {
    let sb = sandbox();
    let _ = sb.destroy();
    assert!(matches!(sb.arm(), Err(sandbox::SandboxError::Destroyed)));
}
