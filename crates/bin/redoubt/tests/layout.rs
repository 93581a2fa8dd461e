//! The shape every service crate keeps (docs/architecture.md): no module of a service depends,
//! through `use crate::…` or `super::…` paths, on a module that depends back on it. Handler
//! modules depend downward only (api → store / model), so a cycle means a type or helper is
//! living in the wrong file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`api::sessions`) → source, for every file under `src`.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            if parts == ["lib"] {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests may reach anywhere.
            let text = text.split("#[cfg(test)]").next().unwrap().to_string();
            out.insert(parts.join("::"), text);
        }
    }
    out
}

/// The paths named after `prefix` in `text`: `a::b::c`, and each member of `{a, b::c}`.
fn paths_after(text: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        let before = text[..at].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &text[at + prefix.len()..];
        let groups: Vec<&str> = match rest.strip_prefix('{') {
            Some(inner) => inner[..inner.find('}').unwrap_or(0)].split(',').collect(),
            None => vec![rest],
        };
        for group in groups {
            let path: String = group
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let parts: Vec<String> = path
                .split("::")
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect();
            if !parts.is_empty() {
                out.push(parts);
            }
        }
    }
    out
}

/// The longest module of `names` that `path` starts with, unless it is `from` or its parent.
fn target(path: &[String], from: &str, names: &BTreeSet<String>) -> Option<String> {
    (1..=path.len()).rev().find_map(|k| {
        let candidate = path[..k].join("::");
        let own = candidate == from || from.starts_with(&format!("{candidate}::"));
        (names.contains(&candidate) && !own).then_some(candidate)
    })
}

fn dependencies(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, text)| {
            let parent: Vec<String> = name.split("::").map(String::from).collect();
            let parent = &parent[..parent.len() - 1];
            let mut deps = BTreeSet::new();
            for path in paths_after(text, "crate::") {
                deps.extend(target(&path, name, &names));
            }
            for path in paths_after(text, "super::") {
                let full: Vec<String> = parent.iter().cloned().chain(path).collect();
                deps.extend(target(&full, name, &names));
            }
            (name.clone(), deps)
        })
        .collect()
}

/// One cycle through `start`, if there is one.
fn cycle_from(start: &str, graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == start {
                return Some([path.clone(), vec![start.to_string()]].concat());
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), [path.clone(), vec![next.clone()]].concat()));
            }
        }
    }
    None
}

fn services() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services");
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().join("src"))
        .collect();
    all.sort();
    all
}

#[test]
fn no_service_module_depends_on_a_module_that_depends_back_on_it() {
    for src in services() {
        let graph = dependencies(&modules(&src));
        for name in graph.keys() {
            if let Some(cycle) = cycle_from(name, &graph) {
                panic!("{}: module cycle {}", src.display(), cycle.join(" → "));
            }
        }
    }
}

#[test]
fn the_checker_sees_cycles() {
    let sources = BTreeMap::from([
        (
            "api::a".to_string(),
            "use crate::{model::b, store};".to_string(),
        ),
        ("model::b".to_string(), "use super::c::X;".to_string()),
        (
            "model::c".to_string(),
            "fn f() { crate::api::a::g() }".to_string(),
        ),
        ("store".to_string(), "use crate::model::d;".to_string()),
        ("model::d".to_string(), "pub struct D;".to_string()),
    ]);
    let graph = dependencies(&sources);
    assert_eq!(
        graph["api::a"],
        BTreeSet::from(["model::b".into(), "store".into()])
    );
    assert_eq!(graph["model::b"], BTreeSet::from(["model::c".into()]));
    let cycle = cycle_from("api::a", &graph).unwrap();
    assert_eq!(cycle, ["api::a", "model::b", "model::c", "api::a"]);
    assert!(cycle_from("store", &graph).is_none());
}
