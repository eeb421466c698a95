//! Rules: pure functions from the inventory to findings, each in its own file with its metadata
//! and knowledge-base article beside it. Adding a rule means one file, one article, its tests and
//! one line in [`registry`].

mod ses_001_dkim_enabled;

use crate::findings::{Finding, Risk};
use crate::inventory::Inventory;

/// What describes a rule apart from its logic.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub title: &'static str,
    pub risk: Risk,
    pub service: &'static str,
    pub categories: &'static [&'static str],
    /// The knowledge-base article, Markdown.
    pub article: &'static str,
}

/// How strictly rules judge; set once per run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Judge what actually happens to mail (the default).
    #[default]
    Strict,
    /// Reproduce the original flag-only rule exactly, for parity with existing reports.
    Conformity,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Strict => "strict",
            Mode::Conformity => "conformity",
        }
    }
}

/// Settings every rule may read.
#[derive(Debug, Clone, Default)]
pub struct RuleConfig {
    pub mode: Mode,
}

/// A rule: metadata plus a pure evaluation.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn evaluate(&self, inventory: &Inventory, config: &RuleConfig) -> Vec<Finding>;
}

/// Every rule this build knows, in ID order.
pub fn registry() -> &'static [&'static dyn Rule] {
    &[&ses_001_dkim_enabled::DkimEnabled]
}

/// Looks a rule up by ID, ignoring case; the error names the known rules.
pub fn find(id: &str) -> Result<&'static dyn Rule, String> {
    registry()
        .iter()
        .copied()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id))
        .ok_or_else(|| {
            let known: Vec<_> = registry().iter().map(|r| r.meta().id).collect();
            format!("unknown rule `{id}`; known rules: {}", known.join(", "))
        })
}
