//! The sandbox lifecycle as a session uses it: create, exec (with input), destroy with evidence.

mod common;

use std::time::Duration;

use common::*;

#[test]
fn exec_runs_in_the_session_tmpfs_and_sees_input_data() {
    let sb = sandbox();
    let out = run_with(
        &sb,
        "cat input/data; echo; pwd; id -u; hostname; echo err >&2; exit 3",
        Some(b"secret record"),
        Duration::from_secs(10),
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("secret record\n/work\n1000\nsbx-"),
        "{stdout}"
    );
    assert_eq!(text(&out.stderr), "err\n");
    assert_eq!(out.exit_code, 3);
    assert!(!out.timed_out && !out.stdout_truncated && !out.killed);
    destroy_clean(sb);
}

#[test]
fn files_persist_between_execs_of_one_session_and_the_wipe_reads_them_back() {
    let sb = sandbox();
    let out = run(
        &sb,
        "head -c 100000 /dev/urandom > keep.bin; echo x > /tmp/t; echo y > /dev/shm/s; ls",
    );
    assert_eq!(out.exit_code, 0, "{}", text(&out.stderr));
    let out = run(&sb, "wc -c < keep.bin; cat /tmp/t /dev/shm/s");
    assert_eq!(text(&out.stdout), "100000\nx\ny\n");
    let teardown = destroy_clean(sb);
    assert_eq!(teardown.wipe.passes, 3);
    assert!(teardown.wipe.files >= 3);
    assert!(teardown.wipe.bytes_overwritten >= 100_004);
    assert_eq!(
        teardown.wipe.bytes_read_back,
        teardown.wipe.bytes_overwritten
    );
    assert!(teardown.wipe.readback_all_zero);
    assert_eq!(teardown.wipe.merkle_root.len(), 64);
    assert!(
        teardown.mount.was_mounted
            && teardown.mount.absent_from_mountinfo
            && teardown.mount.mount_point_removed
    );
    assert_eq!(teardown.processes.remaining, 0);
}

#[test]
fn python_threads_work_under_the_seccomp_filter() {
    let sb = sandbox();
    let out = run(&sb, "python3 -c 'import threading; t=threading.Thread(target=print, args=(\"thread ok\",)); t.start(); t.join()'");
    assert_eq!(text(&out.stdout), "thread ok\n", "{}", text(&out.stderr));
    destroy_clean(sb);
}

#[test]
fn destroy_is_safe_to_repeat() {
    let sb = sandbox();
    run(&sb, "true");
    destroy_clean(sb);
}

#[test]
fn a_dropped_sandbox_leaves_nothing_behind() {
    let sb = sandbox();
    run(&sb, "echo x > f; sleep 0.1");
    let id = sb.id().to_string();
    drop(sb);
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(&id), "the tmpfs is still mounted");
    assert!(!engine().config().root.join(&id).exists());
}

#[test]
fn session_mounts_are_invisible_in_the_host_mount_namespace() {
    let sb = sandbox();
    let out = run(&sb, "echo 'PATIENT Jeanne Martin' > notes.txt; ls");
    assert_eq!(text(&out.stdout), "input\nnotes.txt\n");
    assert!(engine().facts().session_mounts_private);
    // This test thread is in the host's mount namespace: neither the mount nor the file shows.
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let root = engine().config().root.to_string_lossy().to_string();
    assert!(
        !mountinfo
            .lines()
            .any(|l| l.contains(&root) && l.contains(sb.id())),
        "{mountinfo}"
    );
    let dir = engine().config().root.join(sb.id());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "the mount point is empty from here"
    );
    let teardown = destroy_clean(sb);
    assert!(teardown.mount.was_mounted && teardown.mount.private_namespace);
}
