//! Rules: pure functions from the inventory to findings, each in its own file with its metadata
//! and knowledge-base article beside it. Adding a rule means one file, one article, its tests and
//! one line in [`registry`].

mod common;
mod ses_001_dkim_enabled;
mod ses_101_dkim_dns_records;
mod ses_102_dkim_key_length;
mod ses_103_dkim_key_rotation;

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

/// Settings rules read; defaults are documented in each rule's article and can be set in
/// `assure.toml`.
#[derive(Debug, Clone)]
pub struct RuleConfig {
    pub mode: Mode,
    /// SES-103: oldest acceptable bring-your-own-key signing key, in days.
    pub max_key_age_days: u32,
}

impl Default for RuleConfig {
    fn default() -> Self {
        RuleConfig {
            mode: Mode::Strict,
            max_key_age_days: 365,
        }
    }
}

/// Data beyond the basic SES listing that a rule needs collected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// SESv2 `GetEmailIdentity` for each domain: one extra request per domain.
    pub ses_v2: bool,
    /// DNS lookups of each domain's DKIM records.
    pub dns: bool,
}

impl Needs {
    pub fn union(self, other: Needs) -> Needs {
        Needs {
            ses_v2: self.ses_v2 || other.ses_v2,
            dns: self.dns || other.dns,
        }
    }
}

/// A rule: metadata plus a pure evaluation.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn evaluate(&self, inventory: &Inventory, config: &RuleConfig) -> Vec<Finding>;
    /// What the collector must read for this rule (nothing beyond SES v1 by default).
    fn needs(&self) -> Needs {
        Needs::default()
    }
}

/// What a set of rules needs collected.
pub fn needs_of(rules: &[&'static dyn Rule]) -> Needs {
    rules
        .iter()
        .fold(Needs::default(), |n, r| n.union(r.needs()))
}

/// Every rule this build knows, in ID order.
pub fn registry() -> &'static [&'static dyn Rule] {
    &[
        &ses_001_dkim_enabled::DkimEnabled,
        &ses_101_dkim_dns_records::DkimDnsRecords,
        &ses_102_dkim_key_length::DkimKeyLength,
        &ses_103_dkim_key_rotation::DkimKeyRotation,
    ]
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
