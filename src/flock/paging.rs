//! fastapi-pagination pages (`items,total,page,size,pages`) and fetching every page of a list.

use serde_json::Value;

use super::error::ApiError;

/// The largest page the API serves (fastapi-pagination's limit).
pub const MAX_PAGE_SIZE: u64 = 100;

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// Items in the whole list.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u64,
    /// Page size asked for.
    pub size: u64,
    /// Pages in the whole list (0 when empty).
    pub pages: u64,
    /// One line per item that could not be read.
    pub unreadable: Vec<String>,
}

impl<T> Page<T> {
    /// Read a page body, each item with `item`; unreadable items are listed, not dropped silently.
    pub fn parse(
        body: &str,
        what: &str,
        item: impl Fn(&Value) -> Result<T, String>,
    ) -> Result<Page<T>, ApiError> {
        let value: Value = serde_json::from_str(body).map_err(|e| ApiError::decode(what, e))?;
        let Some(items) = value.get("items").and_then(Value::as_array) else {
            return Err(ApiError::decode(what, "expected a page with `items`"));
        };
        let number = |key: &str| value.get(key).and_then(Value::as_u64);
        let mut page = Page {
            items: Vec::with_capacity(items.len()),
            total: number("total").unwrap_or(items.len() as u64),
            page: number("page").unwrap_or(1),
            size: number("size").unwrap_or(items.len() as u64),
            pages: 0,
            unreadable: Vec::new(),
        };
        page.pages = number("pages").unwrap_or_else(|| pages_for(page.total, page.size));
        for (i, raw) in items.iter().enumerate() {
            match item(raw) {
                Ok(item) => page.items.push(item),
                Err(e) => page.unreadable.push(format!("item {}: {e}", i + 1)),
            }
        }
        Ok(page)
    }
}

/// Pages needed for `total` items at `size` per page.
pub fn pages_for(total: u64, size: u64) -> u64 {
    if size == 0 {
        0
    } else {
        total.div_ceil(size)
    }
}

/// After reading page 1, the other page numbers to fetch (never more than `limit` pages in all,
/// so a server announcing absurd totals cannot make the page loop for ever).
pub fn remaining_pages(first: &Page<impl Sized>, limit: u64) -> Vec<u64> {
    let pages = first.pages.max(pages_for(first.total, first.size));
    (2..=pages.min(limit)).collect()
}

/// Join pages in order into one list, with all unreadable lines.
pub fn join_pages<T>(pages: Vec<Page<T>>) -> (Vec<T>, Vec<String>) {
    let mut items = Vec::new();
    let mut unreadable = Vec::new();
    for page in pages {
        items.extend(page.items);
        unreadable.extend(page.unreadable);
    }
    (items, unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(value: &Value) -> Result<u64, String> {
        value
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| "no id".into())
    }

    #[test]
    fn reads_a_page_and_plans_the_rest() {
        let body =
            r#"{"items":[{"id":1},{"id":2},{"x":3}],"total":1250,"page":1,"size":100,"pages":13}"#;
        let page = Page::parse(body, "the leaderboard", ids).unwrap();
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.unreadable, vec!["item 3: no id".to_string()]);
        assert_eq!(remaining_pages(&page, 1000), (2..=13).collect::<Vec<_>>());
        assert_eq!(remaining_pages(&page, 5).len(), 4);
    }

    #[test]
    fn the_recorded_empty_page_needs_nothing_more() {
        let page = Page::parse(
            r#"{"items":[],"total":0,"page":1,"size":50,"pages":0}"#,
            "x",
            ids,
        )
        .unwrap();
        assert!(page.items.is_empty());
        assert!(remaining_pages(&page, 1000).is_empty());
    }

    #[test]
    fn pages_without_counts_are_estimated_and_non_pages_refused() {
        let page = Page::parse(r#"{"items":[{"id":1}],"total":230,"size":100}"#, "x", ids).unwrap();
        assert_eq!(page.pages, 3);
        assert!(Page::parse("[1,2]", "x", ids).is_err());
        assert!(Page::parse(r#"{"items": 5}"#, "x", ids).is_err());
    }

    #[test]
    fn joined_pages_keep_order() {
        let a = Page::parse(
            r#"{"items":[{"id":1},{"id":2}],"total":3,"page":1,"size":2,"pages":2}"#,
            "x",
            ids,
        )
        .unwrap();
        let b = Page::parse(
            r#"{"items":[{"id":3}],"total":3,"page":2,"size":2,"pages":2}"#,
            "x",
            ids,
        )
        .unwrap();
        assert_eq!(join_pages(vec![a, b]).0, vec![1, 2, 3]);
    }
}
