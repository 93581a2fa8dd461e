//! The adversarial suite: each hostile command is contained, reported, and the sandbox still
//! tears down clean (no process, mount or cgroup left).

mod common;

use std::time::{Duration, Instant};

use common::*;
use sandbox::Sandbox;

/// Runs a Python program (passed as input/data, so it is never on a command line).
fn py(sb: &Sandbox, program: &str) -> String {
    let out = run_with(
        sb,
        "python3 input/data",
        Some(program.as_bytes()),
        Duration::from_secs(20),
    );
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

const SYSCALL: &str = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n\
def sys(nr, *args):\n    r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])\n    return 'ok' if r >= 0 else os.strerror(ctypes.get_errno())\n";

#[test]
fn network_egress_tcp_udp_and_dns_fail() {
    let sb = sandbox();
    let out = py(
        &sb,
        r#"import socket
for name, f in [('tcp', lambda: socket.create_connection(('1.1.1.1', 53), timeout=2)),
                ('udp', lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('8.8.8.8', 53))),
                ('dns', lambda: socket.getaddrinfo('example.com', 80)),
                ('tcp6', lambda: socket.create_connection(('2606:4700:4700::1111', 53), timeout=2))]:
    try:
        f(); print(name, 'CONNECTED')
    except OSError as e:
        print(name, 'blocked', e.errno)
print(sorted(i[1] for i in socket.if_nameindex()))
"#,
    );
    assert!(!out.contains("CONNECTED"), "{out}");
    for proto in ["tcp", "udp", "dns", "tcp6"] {
        assert!(out.contains(&format!("{proto} blocked")), "{out}");
    }
    assert!(out.contains("['lo']"), "only loopback: {out}");
    // Loopback works, for a command talking to itself.
    let out = py(&sb, "import socket, threading\ns = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\nc = socket.create_connection(s.getsockname()); a, _ = s.accept(); c.sendall(b'ping'); print(a.recv(4).decode())\n");
    assert_eq!(out, "ping\n");
    destroy_clean(sb);
}

#[test]
fn host_files_are_not_there_and_nothing_outside_the_tmpfs_is_writable() {
    let sb = sandbox();
    let out = text(&run(&sb, "ls / | tr '\\n' ' '; cat /etc/passwd /etc/shadow /root/.bashrc 2>&1 | head -3; ls /home /sys 2>&1").stdout);
    assert!(
        out.starts_with("bin dev etc lib lib64 proc sbin tmp usr work "),
        "{out}"
    );
    assert!(!out.contains("root:x:0"), "{out}");
    let out = run(&sb, "for p in /usr/x /x /etc/x /dev/x /proc/x; do touch $p 2>/dev/null && echo WROTE $p; done; echo done");
    assert_eq!(text(&out.stdout), "done\n");
    destroy_clean(sb);
}

#[test]
fn another_sessions_tmpfs_is_invisible() {
    let a = sandbox();
    run_with(
        &a,
        "cp input/data secret-of-a",
        Some(b"A's data"),
        Duration::from_secs(5),
    );
    let b = sandbox();
    let root = engine().config().root.display().to_string();
    let out = text(&run(&b, &format!("ls {root} 2>&1; find / -name secret-of-a 2>/dev/null; grep -rs \"A's data\" /work /tmp /dev/shm /etc /proc/[0-9]*/environ | head -1; echo end")).stdout);
    assert!(
        !out.contains("secret-of-a") && !out.contains("A's data"),
        "{out}"
    );
    assert!(out.contains("No such file"), "{out}");
    destroy_clean(a);
    destroy_clean(b);
}

#[test]
fn fork_bomb_stops_at_the_pids_limit() {
    let sb = sandbox();
    let out = py(&sb, "import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            time.sleep(30); os._exit(0)\n        n += 1\nexcept OSError as e:\n    print('stopped after', n, 'errno', e.errno)\n");
    assert!(
        out.contains("stopped after") && out.contains("errno 11"),
        "{out}"
    );
    let forked: u64 = out.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(forked < limits().pids, "{out}");
    destroy_clean(sb);
}

#[test]
fn memory_bomb_is_oom_killed_inside_the_group() {
    let sb = sandbox();
    let out = run_with(
        &sb,
        "python3 -c 'x = []\nwhile True: x.append(bytearray(16 << 20))'",
        None,
        Duration::from_secs(20),
    );
    assert!(out.oom_killed, "{:?}", (out.exit_code, text(&out.stderr)));
    assert_eq!(out.exit_code, 137, "SIGKILL by the OOM killer");
    destroy_clean(sb);
}

#[test]
fn disk_fill_stops_at_the_tmpfs_size() {
    let sb = sandbox();
    let out = run(&sb, "dd if=/dev/zero of=big bs=1M count=100 2>&1 | tail -1; dd if=/dev/zero of=/tmp/big2 bs=1M count=100 2>&1 | head -1");
    let text = text(&out.stdout);
    assert!(
        text.contains("No space left") || text.contains("File too large"),
        "{text}"
    );
    let teardown = destroy_clean(sb);
    assert!(teardown.wipe.bytes_overwritten <= limits().tmpfs_bytes);
}

#[test]
fn ptrace_of_pid_1_is_refused_and_the_exec_returns() {
    let sb = sandbox();
    let out = py(&sb, &format!("{SYSCALL}print('attach', sys(101, 16, 1, 0, 0))\nprint('vm_readv', sys(310, 1, 0, 0, 0, 0, 0))\n"));
    assert!(out.contains("attach Operation not permitted"), "{out}");
    assert!(out.contains("vm_readv Operation not permitted"), "{out}");
    destroy_clean(sb);
}

#[test]
fn privileged_interfaces_are_denied() {
    let sb = sandbox();
    // x86_64 numbers: unshare 272, setns 308, add_key 248, keyctl 250, io_uring_setup 425,
    // mount 165, bpf 321, perf_event_open 298, userfaultfd 323, clone3 435, personality 135.
    let out = py(&sb, &format!("{SYSCALL}\
print('unshare_user', sys(272, 0x10000000))\nprint('unshare_ns', sys(272, 0x20000))\nprint('setns', sys(308, 0, 0))\n\
print('add_key', sys(248, 0, 0, 0, 0, 0))\nprint('keyctl', sys(250, 0, 0, 0, 0, 0))\n\
print('io_uring', sys(425, 8, 0))\nprint('mount', sys(165, 0, 0, 0, 0, 0))\nprint('bpf', sys(321, 0, 0, 0))\n\
print('perf', sys(298, 0, 0, 0, 0, 0))\nprint('userfaultfd', sys(323, 0))\n\
print('personality_aslr_off', sys(135, 0x0040000))\nprint('personality_query', sys(135, 0xffffffff))\n\
print('clone3', sys(435, 0, 0))\n"));
    for denied in [
        "unshare_user",
        "unshare_ns",
        "setns",
        "add_key",
        "keyctl",
        "io_uring",
        "mount",
        "bpf",
        "perf",
        "userfaultfd",
        "personality_aslr_off",
    ] {
        assert!(
            out.contains(&format!("{denied} Operation not permitted")),
            "{denied}: {out}"
        );
    }
    assert!(out.contains("personality_query ok"), "{out}");
    assert!(out.contains("clone3 Function not implemented"), "{out}");
    let out = text(&run(&sb, "unshare -U true 2>&1; unshare -r true 2>&1; echo end").stdout);
    assert!(out.contains("Operation not permitted"), "{out}");
    destroy_clean(sb);
}

#[test]
fn proc_shows_only_the_sandbox_and_sys_is_absent() {
    let sb = sandbox();
    let out = text(&run(&sb, "ls /proc | grep -c '^[0-9]'; cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /sys 2>&1; cat /proc/self/mountinfo").stdout);
    let count: u32 = out.lines().next().unwrap().trim().parse().unwrap();
    assert!(count <= 4, "pids visible: {out}");
    assert!(
        out.lines().nth(1).unwrap().starts_with("/usr/bin/tini"),
        "{out}"
    );
    assert!(out.contains("No such file"), "{out}");
    assert!(
        !out.contains(&engine().config().root.display().to_string()),
        "host path leaked: {out}"
    );
    // The session tmpfs (/work, /tmp) is mounted without uid= / gid= options. (The host uid is
    // still readable in /proc/<pid>/uid_map, as in any user namespace, and in the options of
    // the tmpfs mounts the sandbox makes itself, which the kernel prints with their creator.)
    let work = out
        .lines()
        .find(|l| l.contains(" /work "))
        .unwrap_or_default();
    assert!(
        !work.contains(&format!("uid={}", sb.host_uid())),
        "host uid in the session mount options: {work}"
    );
    // The host's kernel command line and build string read as empty (a write goes to
    // /dev/null, which covers them).
    let out = run(
        &sb,
        "echo x > /proc/cmdline; wc -c < /proc/cmdline; wc -c < /proc/version",
    );
    assert_eq!(text(&out.stdout), "0\n0\n", "{}", text(&out.stderr));
    // Landlock leaves the sandbox's own /proc writable as usual (a redirect truncates).
    let out = run(&sb, "echo 1000 > /proc/self/oom_score_adj && echo ok");
    assert_eq!(text(&out.stdout), "ok\n", "{}", text(&out.stderr));
    assert!(!std::fs::read_to_string("/proc/cmdline").unwrap().is_empty());
    destroy_clean(sb);
}

#[test]
fn symlink_planted_at_input_data_is_not_followed() {
    let sb = sandbox();
    let target = std::env::temp_dir().join(format!("redoubt-victim-{}", std::process::id()));
    std::fs::write(&target, "host file").unwrap();
    run(&sb, &format!("ln -s {} input/data", target.display()));
    let out = run_with(
        &sb,
        "cat input/data",
        Some(b"fresh"),
        Duration::from_secs(5),
    );
    assert_eq!(text(&out.stdout), "fresh");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "host file");
    // The whole directory replaced by a link to a host directory.
    run(
        &sb,
        &format!(
            "rm -rf input && ln -s {} input",
            std::env::temp_dir().display()
        ),
    );
    let out = run_with(
        &sb,
        "cat input/data; test -L input || echo real-dir",
        Some(b"again"),
        Duration::from_secs(5),
    );
    assert_eq!(text(&out.stdout), "againreal-dir\n");
    assert!(
        !std::env::temp_dir().join("data").exists()
            || std::fs::read("/tmp/data")
                .map(|d| d != b"again")
                .unwrap_or(true)
    );
    std::fs::remove_file(target).unwrap();
    destroy_clean(sb);
}

#[test]
fn fifo_planted_at_input_data_does_not_block() {
    let sb = sandbox();
    run(&sb, "mkfifo input/data");
    let started = Instant::now();
    let out = run_with(
        &sb,
        "cat input/data",
        Some(b"not blocked"),
        Duration::from_secs(5),
    );
    assert_eq!(text(&out.stdout), "not blocked");
    assert!(started.elapsed() < Duration::from_secs(4));
    destroy_clean(sb);
}

#[test]
fn a_command_ignoring_sigterm_is_killed_after_the_grace_period() {
    let sb = sandbox();
    let started = Instant::now();
    let out = run_with(
        &sb,
        "trap '' TERM; echo started; sleep 30; echo never",
        None,
        Duration::from_millis(500),
    );
    assert!(
        out.timed_out && out.killed,
        "{:?}",
        (out.exit_code, text(&out.stderr))
    );
    assert_eq!(text(&out.stdout), "started\n");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    destroy_clean(sb);
}

#[test]
fn a_command_honouring_sigterm_stops_within_the_grace_period() {
    let sb = sandbox();
    let out = run_with(
        &sb,
        "trap 'echo got TERM; exit 7' TERM; sleep 30 & wait",
        None,
        Duration::from_millis(300),
    );
    assert!(
        out.timed_out && !out.killed,
        "{:?}",
        (out.exit_code, text(&out.stderr))
    );
    assert_eq!(text(&out.stdout), "got TERM\n");
    assert_eq!(out.exit_code, 7);
    destroy_clean(sb);
}

#[test]
fn a_double_forked_daemon_does_not_outlive_its_exec() {
    let sb = sandbox();
    let started = Instant::now();
    let out = run(&sb, "(setsid sh -c 'sleep 60 & sleep 60' > /dev/null 2>&1 < /dev/null &); nohup sleep 60 > /dev/null 2>&1 & echo detached");
    assert_eq!(text(&out.stdout), "detached\n");
    assert!(started.elapsed() < Duration::from_secs(5));
    let out = text(&run(&sb, "cat /proc/[0-9]*/comm | grep -c ^sleep$").stdout);
    assert_eq!(out.trim(), "0", "daemons survived");
    let teardown = destroy_clean(sb);
    assert_eq!(
        teardown.processes.killed, 0,
        "nothing was left running to kill"
    );
}

#[test]
fn huge_output_is_capped_and_flagged() {
    let sb = sandbox();
    let out = run(&sb, "yes 'flood flood flood'");
    assert!(
        out.stdout_truncated && out.killed,
        "{:?}",
        (out.stdout.len(), out.exit_code, text(&out.stderr))
    );
    assert_eq!(out.stdout.len(), 64 * 1024);
    let out = run(&sb, "head -c 200000 /dev/zero >&2; echo fine");
    assert!(out.stderr_truncated && !out.stdout_truncated);
    destroy_clean(sb);
}

#[test]
fn destroy_during_an_exec_kills_it_and_still_tears_down_clean() {
    let sb = std::sync::Arc::new(sandbox());
    let running = sb.clone();
    let exec =
        std::thread::spawn(move || run_with(&running, "sleep 30", None, Duration::from_secs(60)));
    std::thread::sleep(Duration::from_millis(300));
    let teardown = sb.destroy();
    assert!(teardown.clean(), "{teardown:#?}");
    assert!(teardown.processes.killed >= 1);
    let out = exec.join().unwrap();
    assert!(out.exit_code != 0);
}
