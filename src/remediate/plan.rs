//! The remediation plan: what `assure fix` proposes and `assure apply` executes, step by step.
//! It is plain versioned JSON so a person can review it (and keep it) before anything changes.

use crate::dkim_records::DnsRecord;
use crate::inventory::{DkimAttributes, IdentityKind};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Version of the plan format.
pub const PLAN_VERSION: u32 = 1;

/// A reviewed-then-applied set of changes for one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub plan_version: u32,
    pub generator: String,
    pub created_at: String,
    pub rule_id: String,
    /// `apply` refuses to run against any other account.
    pub account_id: String,
    pub partition: String,
    /// `route53` when record changes are made through Route 53; absent when they are for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_provider: Option<String>,
    pub items: Vec<PlanItem>,
    /// Identities left out, and why (unreadable ones, say).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_planned: Vec<String>,
}

/// The fix for one identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    pub region: String,
    pub identity: String,
    pub kind: IdentityKind,
    /// The finding's reason code this item answers.
    pub reason: String,
    /// The DKIM state seen when planning; absent for an identity the plan creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<DkimAttributes>,
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One action. `apply` checks each step's effect first and skips what is already in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    /// `ses:VerifyDomainDkim`: creates the domain's Easy DKIM tokens (and the domain identity if
    /// it does not exist), or restarts verification of tokens SES gave up on.
    CreateDkimTokens { domain: String },
    /// Publish DKIM records for `domain`. With `from_new_tokens`, the records are the ones for
    /// the tokens the preceding step returns. With a hosted zone, `apply` UPSERTs them there.
    PublishRecords {
        domain: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        records: Vec<DnsRecord>,
        #[serde(default)]
        from_new_tokens: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hosted_zone: Option<HostedZone>,
    },
    /// `ses:SetIdentityDkimEnabled` to true.
    EnableSigning { identity: String },
    /// Something only a person can do; `apply` prints it and changes nothing.
    Manual { instruction: String },
}

/// A public Route 53 hosted zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedZone {
    pub id: String,
    pub name: String,
}

impl Step {
    /// Short description for people.
    pub fn describe(&self) -> String {
        match self {
            Step::CreateDkimTokens { domain } => {
                format!("create Easy DKIM tokens for {domain} (ses:VerifyDomainDkim)")
            }
            Step::PublishRecords {
                domain,
                records,
                from_new_tokens,
                hosted_zone,
            } => {
                let what = if *from_new_tokens {
                    "the 3 CNAME records for the new tokens".to_string()
                } else {
                    format!("{} DKIM record(s)", records.len())
                };
                match hosted_zone {
                    Some(z) if !records.iter().any(DnsRecord::needs_input) => format!(
                        "publish {what} for {domain} in Route 53 zone {} ({}) (route53:ChangeResourceRecordSets UPSERT)",
                        z.name, z.id
                    ),
                    _ => format!(
                        "publish {what} for {domain} in its DNS (by hand: see the records below)"
                    ),
                }
            }
            Step::EnableSigning { identity } => {
                format!("switch DKIM signing on for {identity} (ses:SetIdentityDkimEnabled)")
            }
            Step::Manual { instruction } => format!("by hand: {instruction}"),
        }
    }
}

/// Reads a plan file, naming the file and the place of any defect.
pub fn read(path: &Path) -> anyhow::Result<Plan> {
    let text = fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("plan {}: cannot read it: {e}", path.display()))?;
    parse(&text).map_err(|e| anyhow::anyhow!("plan {}: {e}", path.display()))
}

/// Parses plan text.
pub fn parse(text: &str) -> Result<Plan, String> {
    crate::versioned::parse(
        text,
        "plan_version",
        PLAN_VERSION,
        "an assure plan",
        "assure fix --plan-out FILE",
    )
}

/// Writes a plan as pretty JSON.
pub fn write(path: &Path, plan: &Plan) -> anyhow::Result<()> {
    let fail = |e: io::Error| anyhow::anyhow!("plan {}: cannot write it: {e}", path.display());
    let mut file = fs::File::create(path).map_err(fail)?;
    serde_json::to_writer_pretty(&mut file, plan)
        .map_err(io::Error::from)
        .map_err(fail)?;
    writeln!(file).map_err(fail)
}
