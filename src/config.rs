//! `assure.toml`: rule settings in a file, so teams can keep them in version control. Command-line
//! flags win over the file; the file wins over the defaults documented in each rule's article.
//!
//! ```toml
//! [rules]
//! mode = "strict"            # or "conformity" (SES-001)
//! max_key_age_days = 365     # SES-103
//! ```

use crate::rules::{Mode, RuleConfig};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rules: RulesSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesSection {
    mode: Option<String>,
    max_key_age_days: Option<u32>,
}

/// The file's name looked for in the working directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "assure.toml";

/// Reads the settings from `path`, or from `./assure.toml` when it exists, or the defaults.
pub fn load(path: Option<&Path>) -> anyhow::Result<RuleConfig> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (Path::new(DEFAULT_FILE).to_path_buf(), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(RuleConfig::default());
        }
        Err(e) => anyhow::bail!("config {}: cannot read it: {e}", path.display()),
    };
    parse(&text).map_err(|e| anyhow::anyhow!("config {}: {e}", path.display()))
}

/// Parses settings text; the error names the key and the line.
pub fn parse(text: &str) -> Result<RuleConfig, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    let mut config = RuleConfig::default();
    if let Some(mode) = file.rules.mode {
        config.mode = match mode.as_str() {
            "strict" => Mode::Strict,
            "conformity" => Mode::Conformity,
            other => {
                return Err(format!(
                    "rules.mode `{other}` is not one of: strict, conformity"
                ));
            }
        };
    }
    if let Some(days) = file.rules.max_key_age_days {
        config.max_key_age_days = days;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_settings_and_keeps_defaults() {
        let c = parse("[rules]\nmax_key_age_days = 90\n").unwrap();
        assert_eq!(c.max_key_age_days, 90);
        assert_eq!(c.mode, Mode::Strict);
        let c = parse("").unwrap();
        assert_eq!(c.max_key_age_days, 365);
        let c = parse("[rules]\nmode = \"conformity\"\n").unwrap();
        assert_eq!(c.mode, Mode::Conformity);
    }

    #[test]
    fn names_unknown_keys_and_bad_values() {
        let err = parse("[rules]\nmax_key_age = 90\n").unwrap_err();
        assert!(
            err.contains("max_key_age") && err.contains("line 2"),
            "{err}"
        );
        let err = parse("[rules]\nmode = \"lenient\"\n").unwrap_err();
        assert!(err.contains("lenient"), "{err}");
        let err = parse("[rules]\nmax_key_age_days = -1\n").unwrap_err();
        assert!(err.contains("max_key_age_days"), "{err}");
    }
}
