//! The model files: which exist, the ONNX Runtime they run on, and one set of loaded sessions
//! per worker (an ORT session runs one inference at a time).

mod catalogue;
pub mod install;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;

pub use catalogue::{ModelSpec, CATALOGUE, RUNTIME};

/// The models directory and the process's ONNX Runtime, when its library is there.
pub struct Models {
    dir: PathBuf,
    runtime: Result<Environment, String>,
}

/// ONNX Runtime is loaded once per process, from the first directory asked for.
static RUNTIME_ENV: OnceLock<Result<Environment, String>> = OnceLock::new();

impl Models {
    pub fn open(dir: &Path) -> Models {
        let library = dir.join(RUNTIME.file);
        let runtime = RUNTIME_ENV
            .get_or_init(|| {
                if !library.is_file() {
                    return Err(format!(
                        "{} is missing (run `redoubt models install`)",
                        library.display()
                    ));
                }
                ort::init_from(&library)
                    .map_err(|e| format!("loading {}: {e}", library.display()))?
                    .with_name("redoubt-media")
                    .build()
                    .map_err(|e| format!("starting ONNX Runtime: {e}"))
            })
            .clone();
        Models {
            dir: dir.to_path_buf(),
            runtime,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Files of the catalogue (and the runtime) that are not in the directory.
    pub fn missing(&self) -> Vec<&'static str> {
        std::iter::once(&RUNTIME)
            .chain(CATALOGUE.iter())
            .filter(|m| !self.dir.join(m.file).is_file())
            .map(|m| m.file)
            .collect()
    }

    /// Why the runtime cannot run, if it cannot.
    pub fn runtime_error(&self) -> Option<&str> {
        self.runtime.as_ref().err().map(String::as_str)
    }

    /// Loads every model that is present; the others are recorded with the reason.
    pub fn load_set(&self) -> ModelSet {
        let mut set = ModelSet {
            sessions: BTreeMap::new(),
            unavailable: BTreeMap::new(),
            rec_alphabet: Vec::new(),
        };
        for spec in CATALOGUE {
            match self.load(spec) {
                Ok(session) => {
                    set.sessions.insert(spec.role, session);
                }
                Err(why) => {
                    set.unavailable.insert(spec.role, why);
                }
            }
        }
        if let Some(rec) = set.sessions.get(catalogue::OCR_REC) {
            match rec_alphabet(rec) {
                Some(alphabet) => set.rec_alphabet = alphabet,
                None => {
                    set.sessions.remove(catalogue::OCR_REC);
                    set.unavailable.insert(
                        catalogue::OCR_REC,
                        "the recogniser has no `character` dictionary".into(),
                    );
                }
            }
        }
        set
    }

    fn load(&self, spec: &ModelSpec) -> Result<Session, String> {
        let env = self.runtime.as_ref().map_err(Clone::clone)?;
        let path = self.dir.join(spec.file);
        if !path.is_file() {
            return Err(format!(
                "{} is missing (run `redoubt models install`)",
                path.display()
            ));
        }
        let text = |e: ort::Error<_>| e.to_string();
        let builder = Session::builder(env).map_err(|e| e.to_string())?;
        let builder = builder.with_intra_threads(1).map_err(text)?;
        let builder = builder.with_inter_threads(1).map_err(text)?;
        builder
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .map_err(text)?
            .commit_from_file(&path)
            .map_err(|e| format!("loading {}: {e}", path.display()))
    }
}

/// One worker's loaded sessions.
pub struct ModelSet {
    sessions: BTreeMap<&'static str, Session>,
    unavailable: BTreeMap<&'static str, String>,
    rec_alphabet: Vec<String>,
}

impl ModelSet {
    /// The session for `role`, or why there is none.
    pub(crate) fn session(
        &mut self,
        role: &'static str,
    ) -> Result<&mut Session, crate::MediaError> {
        match self.sessions.get_mut(role) {
            Some(s) => Ok(s),
            None => Err(crate::MediaError::ModelUnavailable(
                self.unavailable
                    .get(role)
                    .cloned()
                    .unwrap_or_else(|| format!("no model for {role}")),
            )),
        }
    }

    pub fn has(&self, role: &str) -> bool {
        self.sessions.contains_key(role)
    }

    pub(crate) fn rec_alphabet(&self) -> &[String] {
        &self.rec_alphabet
    }
}

/// PP-OCR keeps its dictionary in the model's `character` metadata, one symbol per line; index 0
/// of the output is the CTC blank, and the last class is a space.
fn rec_alphabet(session: &Session) -> Option<Vec<String>> {
    let text = session.metadata().ok()?.custom("character")?;
    let mut alphabet: Vec<String> = text.lines().map(str::to_string).collect();
    alphabet.push(" ".into());
    Some(alphabet)
}

pub use catalogue::{AGE, FACE_DETECTOR, FACE_EMBEDDING, GENDER, OCR_DET, OCR_REC};

/// Name and version of the model behind `role`, as results report it.
pub fn describe(role: &str) -> String {
    CATALOGUE
        .iter()
        .find(|m| m.role == role)
        .map(|m| format!("{} ({} {})", m.name, m.package, m.package_version))
        .unwrap_or_else(|| role.to_string())
}
