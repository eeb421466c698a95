//! Versioned JSON documents (snapshots, plans): check the version field first, then parse, and
//! say where any defect is: the JSON path, the line and the column.

use serde::de::DeserializeOwned;

/// Parses `text` as a `T` whose `version_field` must equal `expected`. `make_hint` says how such
/// a document is made, for text that has no version field at all.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    version_field: &str,
    expected: u32,
    what: &str,
    make_hint: &str,
) -> Result<T, String> {
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    match header.get(version_field) {
        None => {
            return Err(format!(
                "no `{version_field}` field: this is not {what} (make one with `{make_hint}`)"
            ));
        }
        Some(v) if v.as_u64() != Some(u64::from(expected)) => {
            return Err(format!(
                "{version_field} {v} is not supported: this build of assure reads version {expected}"
            ));
        }
        Some(_) => {}
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        format!(
            "at `{path}` (line {}, column {}): {inner}",
            inner.line(),
            inner.column()
        )
    })
}
