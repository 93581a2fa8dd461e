//! Pagination in the two contract styles: `page`/`limit` with `X-Total-Count`, `X-Page`,
//! `X-Per-Page`, `X-Total-Pages` headers (guard), and `limit`/`offset` with `total` in the body
//! (netwatch).

use http::{HeaderMap, HeaderValue};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::ApiError;

/// `?page=&limit=` as sent; resolve it against the endpoint's default and maximum.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, 1-based (default 1).
    #[param(minimum = 1)]
    pub page: Option<u64>,
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u64,
    pub limit: u64,
}

/// The largest row offset both backends accept (`OFFSET` is a signed 64-bit integer).
const MAX_OFFSET: u64 = i64::MAX as u64;

impl Page {
    /// Rows to skip. [`PageParams::resolve`] only builds pages whose offset fits in an `i64`.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.limit
    }
}

impl PageParams {
    pub fn resolve(&self, default_limit: u64, max_limit: u64) -> Result<Page, ApiError> {
        let page = self.page.unwrap_or(1);
        let limit = self.limit.unwrap_or(default_limit);
        if page == 0 {
            return Err(ApiError::bad_request("page must be 1 or greater"));
        }
        if limit == 0 || limit > max_limit {
            return Err(ApiError::bad_request(format!(
                "limit must be between 1 and {max_limit}"
            )));
        }
        // Checked: `(page - 1) * limit` wraps in release builds, and a wrapped offset is either
        // page 1 again (SQLite) or a negative OFFSET (PostgreSQL: a 500).
        match (page - 1).checked_mul(limit) {
            Some(offset) if offset <= MAX_OFFSET => Ok(Page { page, limit }),
            _ => Err(ApiError::bad_request("page is out of range")),
        }
    }
}

/// The four pagination headers for a page that returned `returned` of `total` items.
pub fn page_headers(total: u64, page: Page, returned: usize) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-total-count", HeaderValue::from(total));
    headers.insert("x-page", HeaderValue::from(page.page));
    headers.insert("x-per-page", HeaderValue::from(returned as u64));
    headers.insert(
        "x-total-pages",
        HeaderValue::from(total.div_ceil(page.limit)),
    );
    headers
}

/// A page-style list response: the four headers, and `body` (the list object) as JSON.
pub struct Paged<B> {
    headers: HeaderMap,
    body: B,
}

impl<B> Paged<B> {
    /// `returned` items of `total` on `page`, listed in `body`.
    pub fn new(page: Page, total: u64, returned: usize, body: B) -> Paged<B> {
        Paged {
            headers: page_headers(total, page, returned),
            body,
        }
    }
}

impl<B: serde::Serialize> axum::response::IntoResponse for Paged<B> {
    fn into_response(self) -> axum::response::Response {
        (self.headers, axum::Json(self.body)).into_response()
    }
}

/// `?limit=&offset=` as sent.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OffsetParams {
    /// Results per page.
    pub limit: Option<u64>,
    /// Number of results to skip (default 0).
    pub offset: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetPage {
    pub limit: u64,
    pub offset: u64,
}

impl OffsetParams {
    pub fn resolve(&self, default_limit: u64, max_limit: u64) -> Result<OffsetPage, ApiError> {
        let limit = self.limit.unwrap_or(default_limit);
        if limit == 0 || limit > max_limit {
            return Err(ApiError::bad_request(format!(
                "limit must be between 1 and {max_limit}"
            )));
        }
        let offset = self.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(ApiError::bad_request(format!(
                "offset must be between 0 and {MAX_OFFSET}"
            )));
        }
        Ok(OffsetPage { limit, offset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn defaults_and_bounds() {
        let p = PageParams::default().resolve(50, 500).unwrap();
        assert_eq!((p.page, p.limit, p.offset()), (1, 50, 0));
        assert!(PageParams {
            page: Some(0),
            limit: None
        }
        .resolve(50, 500)
        .is_err());
        assert!(PageParams {
            page: None,
            limit: Some(501)
        }
        .resolve(50, 500)
        .is_err());
        assert!(PageParams {
            page: None,
            limit: Some(0)
        }
        .resolve(50, 500)
        .is_err());
        let o = OffsetParams::default().resolve(30, 100).unwrap();
        assert_eq!((o.limit, o.offset), (30, 0));
    }

    #[test]
    fn offsets_past_i64_are_refused() {
        let huge = PageParams {
            page: Some(9_223_372_036_854_775_808),
            limit: None,
        };
        assert_eq!(
            huge.resolve(50, 500).unwrap_err().message,
            "page is out of range"
        );
        let wraps = PageParams {
            page: Some(u64::MAX / 50 + 2),
            limit: Some(50),
        };
        assert!(wraps.resolve(50, 500).is_err());
        let last = PageParams {
            page: Some(i64::MAX as u64 / 500 + 1),
            limit: Some(500),
        };
        assert!(last.resolve(50, 500).unwrap().offset() <= i64::MAX as u64);
        let offset = OffsetParams {
            limit: None,
            offset: Some(1 << 63),
        };
        assert!(offset.resolve(30, 100).is_err());
    }

    #[test]
    fn headers_describe_the_page() {
        let h = page_headers(101, Page { page: 3, limit: 50 }, 1);
        assert_eq!(h["x-total-count"], "101");
        assert_eq!(h["x-page"], "3");
        assert_eq!(h["x-per-page"], "1");
        assert_eq!(h["x-total-pages"], "3");
        assert_eq!(
            page_headers(0, Page { page: 1, limit: 50 }, 0)["x-total-pages"],
            "0"
        );
    }

    proptest! {
        /// Walking every page visits each item exactly once.
        #[test]
        fn pages_partition_the_items(total in 0u64..2_000, limit in 1u64..500) {
            let pages = total.div_ceil(limit);
            let mut seen = 0;
            for n in 1..=pages {
                let page = Page { page: n, limit };
                prop_assert_eq!(page.offset(), seen);
                seen += limit.min(total - page.offset());
            }
            prop_assert_eq!(seen, total);
        }
    }
}
