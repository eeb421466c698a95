//! The engine: runs the selected rules over an inventory and builds the report model (findings in
//! a stable order plus the summary). The same inventory always gives the same findings, whether it
//! was collected just now or read from a snapshot.

use crate::findings::{Finding, Risk, Status};
use crate::inventory::{CollectionStats, Inventory, RegionState};
use crate::rules::{Rule, RuleConfig};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the report's JSON contract.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// What a scan produced: the JSON contract `{schema_version, summary, findings}`.
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

/// Counts and costs of a scan.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// `live` or `snapshot`.
    pub source: &'static str,
    pub mode: &'static str,
    pub rules: Vec<&'static str>,
    pub accounts: Vec<String>,
    pub collected_at: String,
    pub identities: usize,
    pub by_status: StatusCounts,
    /// Every region examined, including those with no identities.
    pub by_region: BTreeMap<String, RegionSummary>,
    /// Requests sent by this run, by `service:Action` (empty for a snapshot scan).
    pub api_calls: BTreeMap<String, u64>,
    pub api_calls_total: u64,
    /// Requests that were throttled and retried.
    pub throttled: u64,
    pub duration_ms: u64,
}

/// Findings per status.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct StatusCounts {
    pub pass: u64,
    pub fail: u64,
    pub error: u64,
    pub info: u64,
}

impl StatusCounts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::Info => self.info += 1,
        }
    }

    pub fn get(&self, status: Status) -> u64 {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Error => self.error,
            Status::Info => self.info,
        }
    }
}

/// One region, over all accounts.
#[derive(Debug, Default, Clone, Serialize)]
pub struct RegionSummary {
    /// `scanned`, `not_enabled` or `error`; over several accounts, `error` if any account's is.
    pub state: &'static str,
    pub identities: usize,
    #[serde(flatten)]
    pub counts: StatusCounts,
}

/// How a run's results gate CI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing failing at or above the threshold, nothing unreadable.
    Clean,
    /// At least one FAIL at or above the threshold.
    Failing,
    /// No such FAIL, but something could not be evaluated.
    Incomplete,
}

/// Runs `rules` over `inventory`. `run_stats` is what this run spent talking to AWS (none for a
/// snapshot); the summary's duration is the collection's, which the caller may replace with the
/// whole run's.
pub fn run(
    inventory: &Inventory,
    rules: &[&'static dyn Rule],
    config: &RuleConfig,
    run_stats: Option<&CollectionStats>,
) -> Report {
    let mut findings: Vec<Finding> = Vec::new();
    for rule in rules {
        let mut more = rule.evaluate(inventory, config);
        if findings.is_empty() {
            findings = more;
        } else {
            findings.append(&mut more);
        }
    }
    // The key is unique per finding, so an unstable sort (no scratch buffer) is deterministic.
    findings.sort_unstable_by(|a, b| {
        (
            &a.account_id,
            &a.region,
            a.resource_type,
            &a.resource_id,
            a.rule_id,
        )
            .cmp(&(
                &b.account_id,
                &b.region,
                b.resource_type,
                &b.resource_id,
                b.rule_id,
            ))
    });

    let mut by_status = StatusCounts::default();
    let mut by_region: BTreeMap<String, RegionSummary> = BTreeMap::new();
    let mut identities = 0;
    for account in &inventory.accounts {
        for region in &account.regions {
            let entry = by_region.entry(region.region.clone()).or_default();
            let state = match region.state {
                RegionState::Scanned => "scanned",
                RegionState::NotEnabled => "not_enabled",
                RegionState::Error => "error",
            };
            if entry.state.is_empty() || state == "error" {
                entry.state = state;
            }
            entry.identities += region.identities.len();
            identities += region.identities.len();
        }
    }
    for finding in &findings {
        by_status.add(finding.status);
        by_region
            .entry(finding.region.clone())
            .or_default()
            .counts
            .add(finding.status);
    }
    let (api_calls, throttled, duration_ms) = match run_stats {
        Some(s) => (s.api_calls.clone(), s.throttled, s.duration_ms),
        None => (BTreeMap::new(), 0, 0),
    };
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        summary: Summary {
            source: if run_stats.is_some() {
                "live"
            } else {
                "snapshot"
            },
            mode: config.mode.as_str(),
            rules: rules.iter().map(|r| r.meta().id).collect(),
            accounts: inventory
                .accounts
                .iter()
                .map(|a| a.account_id.clone())
                .collect(),
            collected_at: inventory.collected_at.clone(),
            identities,
            by_status,
            by_region,
            api_calls_total: api_calls.values().sum(),
            api_calls,
            throttled,
            duration_ms,
        },
        findings,
    }
}

impl Report {
    /// Gates on FAIL findings at or above `fail_on`, then on ERROR findings.
    pub fn outcome(&self, fail_on: Risk) -> Outcome {
        if self
            .findings
            .iter()
            .any(|f| f.status == Status::Fail && f.risk >= fail_on)
        {
            Outcome::Failing
        } else if self.summary.by_status.error > 0 {
            Outcome::Incomplete
        } else {
            Outcome::Clean
        }
    }
}
