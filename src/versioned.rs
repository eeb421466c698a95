//! Versioned JSON documents (snapshots, plans): check the version field first, then parse, and
//! say where any defect is: the JSON path, the line and the column.

use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// Parses `text` as a `T` whose `version_field` must equal `expected`. `make_hint` says how such
/// a document is made, for text that has no version field at all.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    version_field: &str,
    expected: u32,
    what: &str,
    make_hint: &str,
) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let version = VersionOf(version_field)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|_| v))
        .map_err(|e| format!("not valid JSON: {e}"))?;
    match version.as_ref() {
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

/// Reads only the version field of a top-level object, skipping everything else without building
/// it (a snapshot can be large).
struct VersionOf<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for VersionOf<'_> {
    type Value = Option<serde_json::Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for VersionOf<'_> {
    type Value = Option<serde_json::Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut version = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.0 {
                version = Some(map.next_value::<serde_json::Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(version)
    }
}
