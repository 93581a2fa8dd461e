//! `Filter`: a WHERE clause assembled from optional conditions with `$N` placeholders, and the
//! values to bind, for list endpoints whose filters are all optional.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::http::pagination::Page;

/// A value to bind to one placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlArg {
    Text(String),
    Uuid(Uuid),
    Real(f64),
    Int(i64),
    Bool(bool),
    Time(DateTime<Utc>),
}

impl From<&str> for SqlArg {
    fn from(v: &str) -> Self {
        SqlArg::Text(v.to_string())
    }
}
impl From<String> for SqlArg {
    fn from(v: String) -> Self {
        SqlArg::Text(v)
    }
}
impl From<Uuid> for SqlArg {
    fn from(v: Uuid) -> Self {
        SqlArg::Uuid(v)
    }
}
impl From<f64> for SqlArg {
    fn from(v: f64) -> Self {
        SqlArg::Real(v)
    }
}
impl From<i64> for SqlArg {
    fn from(v: i64) -> Self {
        SqlArg::Int(v)
    }
}
impl From<bool> for SqlArg {
    fn from(v: bool) -> Self {
        SqlArg::Bool(v)
    }
}
impl From<DateTime<Utc>> for SqlArg {
    fn from(v: DateTime<Utc>) -> Self {
        SqlArg::Time(v)
    }
}

/// Conditions joined by AND. Column names are the caller's constants, never user input.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    clauses: Vec<String>,
    pub args: Vec<SqlArg>,
}

impl Filter {
    pub fn new() -> Filter {
        Filter::default()
    }

    /// Adds `column op $N` with `value`.
    pub fn cmp(mut self, column: &'static str, op: &'static str, value: impl Into<SqlArg>) -> Self {
        self.args.push(value.into());
        self.clauses
            .push(format!("{column} {op} ${}", self.args.len()));
        self
    }

    pub fn eq(self, column: &'static str, value: impl Into<SqlArg>) -> Self {
        self.cmp(column, "=", value)
    }

    /// Adds `column op $N` when `value` is present.
    pub fn cmp_opt<T: Into<SqlArg>>(
        self,
        column: &'static str,
        op: &'static str,
        value: Option<T>,
    ) -> Self {
        match value {
            Some(v) => self.cmp(column, op, v),
            None => self,
        }
    }

    pub fn eq_opt<T: Into<SqlArg>>(self, column: &'static str, value: Option<T>) -> Self {
        self.cmp_opt(column, "=", value)
    }

    /// Adds `(LOWER(c1) LIKE $N OR LOWER(c2) LIKE $N …)` for each pattern of `patterns` (any
    /// matches), with `%`, `_` and `\` of the user's text escaped; nothing when `patterns` is
    /// empty. Patterns are matched case-insensitively as substrings.
    pub fn search(mut self, columns: &[&'static str], patterns: &[String]) -> Self {
        let mut alternatives = Vec::new();
        for pattern in patterns {
            let escaped = pattern
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            self.args.push(SqlArg::Text(format!("%{escaped}%")));
            let n = self.args.len();
            alternatives.extend(
                columns
                    .iter()
                    .map(|c| format!("LOWER({c}) LIKE ${n} ESCAPE '\\'")),
            );
        }
        if !alternatives.is_empty() {
            self.clauses
                .push(format!("({})", alternatives.join(" OR ")));
        }
        self
    }

    /// ` WHERE a = $1 AND …`, or nothing.
    pub fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// The number of the next placeholder (for LIMIT/OFFSET after the filter).
    pub fn next_placeholder(&self) -> usize {
        self.args.len() + 1
    }
}

/// Binds every `SqlArg` of `$args` to the query `$q`, in order.
#[macro_export]
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for arg in $args {
            q = match arg {
                $crate::store::SqlArg::Text(v) => q.bind(v.clone()),
                $crate::store::SqlArg::Uuid(v) => q.bind(*v),
                $crate::store::SqlArg::Real(v) => q.bind(*v),
                $crate::store::SqlArg::Int(v) => q.bind(*v),
                $crate::store::SqlArg::Bool(v) => q.bind(*v),
                $crate::store::SqlArg::Time(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// One page of `select` (`SELECT … FROM …`, no WHERE) under `filter` in `order`, with the
/// number of rows the filter matches: the one list query every paginated endpoint runs.
pub async fn fetch_page<T>(
    db: &super::Db,
    select: &str,
    from: &str,
    filter: &Filter,
    order: &str,
    page: Page,
) -> Result<(Vec<T>, u64), sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    // `PageParams::resolve` keeps both within i64.
    fetch_window(
        db,
        select,
        from,
        filter,
        order,
        page.limit as i64,
        page.offset() as i64,
    )
    .await
}

/// [`fetch_page`] for contracts that page by `limit` and `offset`.
pub async fn fetch_window<T>(
    db: &super::Db,
    select: &str,
    from: &str,
    filter: &Filter,
    order: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<T>, u64), sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    let n = filter.next_placeholder();
    let list = format!(
        "{select}{} ORDER BY {order} LIMIT ${n} OFFSET ${}",
        filter.where_sql(),
        n + 1
    );
    let count = format!("SELECT COUNT(*) {from}{}", filter.where_sql());
    let rows = crate::on_db!(db, |p| crate::bind_args!(
        sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(list.clone())),
        &filter.args
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(p)
    .await)?;
    let (total,): (i64,) = crate::on_db!(db, |p| crate::bind_args!(
        sqlx::query_as(sqlx::AssertSqlSafe(count.clone())),
        &filter.args
    )
    .fetch_one(p)
    .await)?;
    Ok((rows, total.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_present_values() {
        let f = Filter::new()
            .eq("tenant_id", Uuid::nil())
            .eq_opt::<String>("platform_id", None)
            .cmp_opt("risk_score", ">=", Some(0.5))
            .eq_opt("source", Some("api"));
        assert_eq!(
            f.where_sql(),
            " WHERE tenant_id = $1 AND risk_score >= $2 AND source = $3"
        );
        assert_eq!(f.next_placeholder(), 4);
        assert_eq!(Filter::new().where_sql(), "");
    }
}
