//! Snapshot files: the inventory as versioned JSON, written by `assure collect` and read by
//! `assure scan --snapshot`. Reading checks the version first and reports any defect with the
//! file, the JSON path and the line and column.

use super::{Inventory, SCHEMA_VERSION};
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A snapshot that could not be read or written.
#[derive(Debug)]
pub struct SnapshotError {
    pub path: PathBuf,
    pub problem: String,
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "snapshot {}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for SnapshotError {}

/// Reads and validates a snapshot file.
pub fn read(path: &Path) -> Result<Inventory, SnapshotError> {
    let fail = |problem: String| SnapshotError {
        path: path.to_path_buf(),
        problem,
    };
    let text = fs::read_to_string(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    parse(&text).map_err(fail)
}

/// Parses snapshot text; the error says where the problem is.
pub fn parse(text: &str) -> Result<Inventory, String> {
    crate::versioned::parse(
        text,
        "schema_version",
        SCHEMA_VERSION,
        "an assure snapshot",
        "assure collect -o FILE",
    )
}

/// Writes a snapshot to `path`, or to standard output when `path` is `-`.
pub fn write(path: &Path, inventory: &Inventory) -> Result<(), SnapshotError> {
    let fail = |e: io::Error| SnapshotError {
        path: path.to_path_buf(),
        problem: format!("cannot write it: {e}"),
    };
    if path == Path::new("-") {
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, inventory)
            .map_err(io::Error::from)
            .map_err(fail)?;
        return writeln!(out).map_err(fail);
    }
    // Write beside the target and rename, so a failed run never leaves half a snapshot.
    let tmp = path.with_extension("json.partial");
    let file = fs::File::create(&tmp).map_err(fail)?;
    let mut buf = io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut buf, inventory)
        .map_err(io::Error::from)
        .map_err(fail)?;
    writeln!(buf).map_err(fail)?;
    buf.into_inner()
        .map_err(|e| fail(e.into_error()))?
        .sync_all()
        .map_err(fail)?;
    fs::rename(&tmp, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_a_missing_version() {
        let err = parse(r#"{"accounts": []}"#).unwrap_err();
        assert!(err.contains("no `schema_version`"), "{err}");
    }

    #[test]
    fn rejects_another_version() {
        let err = parse(r#"{"schema_version": 99, "accounts": []}"#).unwrap_err();
        assert!(err.contains("schema_version 99 is not supported"), "{err}");
    }

    #[test]
    fn names_the_path_line_and_column_of_a_bad_field() {
        let text = r#"{
  "schema_version": 1, "generator": "t", "collected_at": "now",
  "accounts": [{"account_id": "1", "region_source": {"kind": "requested"},
    "regions": [{"region": "us-east-1", "state": "scanned", "listing_complete": true,
      "identities": [{"name": "example.com", "kind": "domain",
        "dkim": {"enabled": true, "status": "Sucess"}}]}]}]
}"#;
        let err = parse(text).unwrap_err();
        assert!(
            err.contains("accounts[0].regions[0].identities[0].dkim.status"),
            "{err}"
        );
        assert!(err.contains("line 6"), "{err}");
        assert!(err.contains("Sucess"), "{err}");
    }

    #[test]
    fn reports_broken_json_with_its_line() {
        let err = parse("{\n \"schema_version\": 1,\n").unwrap_err();
        assert!(err.starts_with("not valid JSON"), "{err}");
        assert!(err.contains("line 3"), "{err}");
    }
}
