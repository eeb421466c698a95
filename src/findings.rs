//! Findings: the verdict a rule gives one resource, with its reason code and the evidence that
//! decided it. This is the stable JSON contract that every report format renders.

use serde::Serialize;
use std::fmt;

/// The outcome for one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Fail,
    Error,
    Info,
    Pass,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Pass, Status::Fail, Status::Error, Status::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::Info => "INFO",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Risk levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
pub enum Risk {
    Low,
    Medium,
    High,
    #[serde(rename = "Very High")]
    VeryHigh,
    Extreme,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "Low",
            Risk::Medium => "Medium",
            Risk::High => "High",
            Risk::VeryHigh => "Very High",
            Risk::Extreme => "Extreme",
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceType {
    Domain,
    Email,
    /// A whole region, for what could not be examined identity by identity.
    Region,
}

impl ResourceType {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Domain => "domain",
            ResourceType::Email => "email",
            ResourceType::Region => "region",
        }
    }
}

/// One rule's verdict on one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule_id: &'static str,
    pub status: Status,
    /// Machine-readable reason code, e.g. `DKIM_PENDING`.
    pub reason: &'static str,
    /// One sentence for a person.
    pub message: String,
    pub risk: Risk,
    pub account_id: String,
    pub region: String,
    pub resource_id: String,
    pub resource_type: ResourceType,
    pub resource_arn: String,
    pub evidence: Evidence,
}

/// The attribute values that decided a verdict. Only the fields that mattered are present.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim_status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim_tokens: Option<usize>,
    /// For an email address: the domain identity that covers it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_domain: Option<String>,
    /// For an email address: that domain's own verdict reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_domain_reason: Option<&'static str>,
    /// The rule's mode (`strict` or `conformity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<&'static str>,
    /// For ERROR and INFO: the API action and error code met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// SESv2 signing origin (`AWS_SES`, `EXTERNAL`, `AWS_SES_<REGION>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// For a replica identity: the region whose DKIM it inherits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica_of: Option<String>,
    /// SESv2 `VerificationInfo.ErrorType`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_error: Option<String>,
    /// What DNS says about the DKIM records, in a few words (SES-001's context).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_problem: Option<String>,
    /// SES-101: each DKIM record, expected and found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<RecordEvidence>>,
    /// SES-102: `RSA_1024_BIT` or `RSA_2048_BIT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_length: Option<String>,
    /// SES-103: age of the signing key in days, and the limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_age_days: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_key_age_days: Option<u32>,
}

/// One DKIM record as DNS answered for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordEvidence {
    pub name: String,
    /// `CNAME <target>` or `TXT p=...`.
    pub expected: String,
    /// `CNAME <target>`, `TXT <text>`, `none`, or the lookup error.
    pub found: String,
    /// `ok`, `missing`, `wrong_target`, `conflict` or `lookup_failed`.
    pub state: &'static str,
}

/// `arn:<partition>:ses:<region>:<account>:identity/<name>`; `*` names every identity of a region.
pub fn identity_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:ses:{region}:{account}:identity/{name}")
}
