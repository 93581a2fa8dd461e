//! Runs one command in a fresh sandbox and prints what came out: `cargo run -p sandbox
//! --example shell -- 'id; ls /'` (as root, or a user allowed to mount tmpfs).

fn main() {
    let command = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "id; hostname; ls -la /".into());
    let root = std::env::temp_dir().join("redoubt-sandbox-shell");
    let engine = sandbox::Engine::new(sandbox::EngineConfig {
        root,
        ..Default::default()
    })
    .expect("engine");
    let sb = engine
        .create(
            &format!("shell{}", std::process::id()),
            sandbox::Limits::for_memory(256 << 20),
        )
        .expect("create");
    let out = sb
        .exec(&sandbox::ExecRequest {
            command,
            input_data: Some(b"input".to_vec()),
            timeout: std::time::Duration::from_secs(30),
        })
        .expect("exec");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let teardown = sb.destroy();
    eprintln!(
        "exit {} · timed out {} · teardown clean {}",
        out.exit_code,
        out.timed_out,
        teardown.clean()
    );
}
