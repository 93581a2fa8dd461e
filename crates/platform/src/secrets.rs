//! Server secrets kept in the data directory: the JWT signing secret and the master encryption key.
//!
//! Generated on first start (files created 0600, never overwritten) unless the environment
//! provides them, so a fresh install needs no setup and a cluster can share one value.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

/// The two secrets every node of one installation must share.
#[derive(Clone)]
pub struct ServerSecrets {
    pub jwt_secret: Vec<u8>,
    pub master_key: [u8; 32],
}

impl std::fmt::Debug for ServerSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecrets { .. }")
    }
}

/// Creates `dir` (and parents) with mode 0700 if it does not exist yet.
pub fn ensure_private_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating data directory {}", dir.display()))?;
    }
    Ok(())
}

impl ServerSecrets {
    /// Loads the secrets: environment values win (`jwt_secret_env`, `master_key_env`, base64),
    /// else the files in `data_dir`, else freshly generated files.
    pub fn load_or_create(
        data_dir: &Path,
        jwt_secret_env: Option<&str>,
        master_key_env: Option<&str>,
    ) -> anyhow::Result<ServerSecrets> {
        ensure_private_dir(data_dir)?;
        let jwt_secret = match jwt_secret_env {
            Some(value) => decode("REDOUBT_JWT_SECRET", value)?,
            None => file_secret(&data_dir.join("jwt_secret"), 64)?,
        };
        if jwt_secret.len() < 32 {
            anyhow::bail!("the JWT secret must be at least 32 bytes");
        }
        let master = match master_key_env {
            Some(value) => decode("REDOUBT_MASTER_KEY", value)?,
            None => file_secret(&data_dir.join("master_key"), 32)?,
        };
        let master_key: [u8; 32] = master
            .try_into()
            .map_err(|_| anyhow::anyhow!("the master key must be exactly 32 bytes"))?;
        Ok(ServerSecrets {
            jwt_secret,
            master_key,
        })
    }
}

fn decode(name: &str, value: &str) -> anyhow::Result<Vec<u8>> {
    STANDARD
        .decode(value.trim())
        .with_context(|| format!("{name} is not valid base64"))
}

fn file_secret(path: &Path, len: usize) -> anyhow::Result<Vec<u8>> {
    if path.exists() {
        let mode = fs::metadata(path)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "secret file is readable by others");
        }
        let text =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return decode(&path.display().to_string(), &text);
    }
    let mut bytes = vec![0u8; len];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(STANDARD.encode(&bytes).as_bytes())?;
    file.sync_all()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_with_private_modes_and_reloads_the_same_values() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let first = ServerSecrets::load_or_create(&dir, None, None).unwrap();
        let second = ServerSecrets::load_or_create(&dir, None, None).unwrap();
        assert_eq!(first.jwt_secret, second.jwt_secret);
        assert_eq!(first.master_key, second.master_key);
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        for name in ["jwt_secret", "master_key"] {
            assert_eq!(
                fs::metadata(dir.join(name)).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn environment_values_win_and_are_validated() {
        let tmp = tempfile::tempdir().unwrap();
        let jwt = STANDARD.encode([7u8; 40]);
        let key = STANDARD.encode([9u8; 32]);
        let s = ServerSecrets::load_or_create(tmp.path(), Some(&jwt), Some(&key)).unwrap();
        assert_eq!(s.jwt_secret, vec![7u8; 40]);
        assert_eq!(s.master_key, [9u8; 32]);
        assert!(!tmp.path().join("jwt_secret").exists());
        let short = STANDARD.encode([1u8; 8]);
        assert!(ServerSecrets::load_or_create(tmp.path(), Some(&short), Some(&key)).is_err());
    }
}
