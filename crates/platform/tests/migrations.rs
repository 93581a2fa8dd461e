//! The SQLite and PostgreSQL migrations must describe the same tables and columns.

use std::collections::BTreeMap;

fn schema(dir: &str) -> BTreeMap<String, Vec<String>> {
    let mut tables = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let sql = std::fs::read_to_string(&file).unwrap();
        let mut current: Option<(String, Vec<String>)> = None;
        for line in sql.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                current = Some((rest.trim_end_matches(" (").trim().to_string(), vec![]));
            } else if line.starts_with(");") {
                if let Some((name, columns)) = current.take() {
                    tables.insert(name, columns);
                }
            } else if let Some((_, columns)) = current.as_mut() {
                let first = line.split_whitespace().next().unwrap_or_default();
                if !first.is_empty()
                    && first.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && first != "unique"
                    && first != "primary"
                {
                    columns.push(first.to_string());
                }
            }
        }
    }
    tables
}

#[test]
fn both_backends_have_the_same_tables_and_columns() {
    let sqlite = schema(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"));
    let postgres = schema(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"));
    assert!(sqlite.len() >= 6, "parsed {sqlite:?}");
    assert_eq!(sqlite, postgres);
    let sqlite_files: Vec<_> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
    for name in sqlite_files {
        let twin =
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
                .join(&name);
        assert!(twin.exists(), "{name:?} has no PostgreSQL twin");
    }
}
