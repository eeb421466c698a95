//! The inventory: plain, serializable facts about the accounts that were collected.
//!
//! The collect stage fills it from the AWS APIs; a snapshot file holds the same structure, so every
//! rule runs identically on live and offline data. It records what could *not* be read too: an
//! error sits on exactly the region or identity it touched, so rules can report ERROR for that and
//! still judge everything else.

mod names;
pub mod snapshot;

pub use names::{covering_domains, email_domain, normalize_name};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the snapshot format written by this build. Bump it on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one collection run learned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub schema_version: u32,
    /// The program that wrote it, e.g. `assure 0.1.0`.
    pub generator: String,
    /// RFC 3339 time at which collection finished.
    pub collected_at: String,
    pub accounts: Vec<AccountInventory>,
    /// What it cost to collect (absent in hand-written snapshots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<CollectionStats>,
}

/// The API calls and time spent collecting.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CollectionStats {
    /// Requests sent, by `service:Action`, retries included.
    pub api_calls: BTreeMap<String, u64>,
    /// Requests answered with a throttling error (retried while the deadline allowed).
    pub throttled: u64,
    pub duration_ms: u64,
}

/// One AWS account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInventory {
    pub account_id: String,
    /// `aws`, `aws-us-gov`, ...; used to build ARNs.
    #[serde(default = "default_partition")]
    pub partition: String,
    /// How the list of regions to scan was chosen.
    pub region_source: RegionSource,
    pub regions: Vec<RegionInventory>,
}

fn default_partition() -> String {
    "aws".to_string()
}

/// Where the scanned regions came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegionSource {
    /// The user named them (`--region`).
    Requested,
    /// SES regions intersected with the account's enabled regions (Account `ListRegions`).
    EnabledRegions,
    /// The account's enabled regions could not be read; every SES region was tried.
    SesRegionList {
        /// Why the lookup was not possible (error code and message).
        reason: String,
    },
}

/// One region of one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionInventory {
    pub region: String,
    pub state: RegionState,
    /// False when some page of the identity listing could not be read: the identities below are
    /// then only part of the region.
    pub listing_complete: bool,
    /// Errors that concern the whole region (listing failures, a region that is not enabled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<CollectError>,
    #[serde(default)]
    pub identities: Vec<Identity>,
}

/// Whether a region could be examined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionState {
    /// Listing succeeded (possibly partly: see `listing_complete`).
    Scanned,
    /// The account has not enabled this opt-in region; nothing there can exist.
    NotEnabled,
    /// Nothing could be listed.
    Error,
}

/// One SES identity: a domain or an email address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub name: String,
    pub kind: IdentityKind,
    /// DKIM attributes as SES reported them; absent when they could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dkim: Option<DkimAttributes>,
    /// Why the DKIM attributes are missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CollectError>,
    /// SESv2 `GetEmailIdentity` depth (domains only; read when a selected rule needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Box<IdentityDetails>>,
    /// Why the SESv2 details are missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details_error: Option<Box<CollectError>>,
    /// What DNS answered for the identity's DKIM records (when DNS was checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<Vec<DnsObservation>>,
}

impl Identity {
    /// An identity with nothing read about it yet.
    pub fn new(name: &str) -> Self {
        Identity {
            name: name.to_string(),
            kind: IdentityKind::of(name),
            dkim: None,
            error: None,
            details: None,
            details_error: None,
            dns: None,
        }
    }
}

/// SESv2's view of a domain's DKIM set-up. Every field is optional: SES omits what does not apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityDetails {
    /// `AWS_SES` (Easy DKIM), `EXTERNAL` (bring your own key) or `AWS_SES_<REGION>` (a replica
    /// that inherits its parent region's DKIM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The zone the Easy DKIM CNAMEs must point into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_hosted_zone: Option<String>,
    /// `RSA_1024_BIT` or `RSA_2048_BIT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_key_length: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_key_length: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_key_generation: Option<String>,
    /// `VerificationInfo.ErrorType`: why SES could not verify (`TYPE_NOT_FOUND`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_error: Option<String>,
}

impl IdentityDetails {
    /// The parent region of a replica identity (`AWS_SES_EU_WEST_1` gives `eu-west-1`).
    pub fn replica_of(&self) -> Option<String> {
        let origin = self.origin.as_deref()?;
        let region = origin.strip_prefix("AWS_SES_")?;
        Some(region.to_ascii_lowercase().replace('_', "-"))
    }

    pub fn is_byok(&self) -> bool {
        self.origin.as_deref() == Some("EXTERNAL")
    }
}

/// One DKIM record looked up in DNS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsObservation {
    pub name: String,
    /// `CNAME` (Easy DKIM) or `TXT` (bring your own key).
    pub expected_type: String,
    /// The CNAME target, or for TXT the `p=` tag the key record must carry.
    pub expected: String,
    /// The type found at the name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub found: Vec<String>,
    /// The lookup failed (`SERVFAIL`, `TIMEOUT`, ...): nothing is known about the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Domain,
    Email,
}

impl IdentityKind {
    /// SES tells identities apart only by the `@`.
    pub fn of(name: &str) -> Self {
        if name.contains('@') {
            IdentityKind::Email
        } else {
            IdentityKind::Domain
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Domain => "domain",
            IdentityKind::Email => "email",
        }
    }
}

/// `GetIdentityDkimAttributes` for one identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DkimAttributes {
    /// `DkimEnabled`. SES reports true by default, even when DKIM was never set up.
    pub enabled: bool,
    /// `DkimVerificationStatus`.
    pub status: DkimStatus,
    /// `DkimTokens` (Easy DKIM: three tokens, or none).
    #[serde(default)]
    pub tokens: Vec<String>,
}

/// Whether SES found the DKIM records in DNS (the v1 API's spellings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DkimStatus {
    NotStarted,
    Pending,
    Success,
    Failed,
    TemporaryFailure,
}

impl DkimStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DkimStatus::NotStarted => "NotStarted",
            DkimStatus::Pending => "Pending",
            DkimStatus::Success => "Success",
            DkimStatus::Failed => "Failed",
            DkimStatus::TemporaryFailure => "TemporaryFailure",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "NotStarted" => DkimStatus::NotStarted,
            "Pending" => DkimStatus::Pending,
            "Success" => DkimStatus::Success,
            "Failed" => DkimStatus::Failed,
            "TemporaryFailure" => DkimStatus::TemporaryFailure,
            _ => return None,
        })
    }
}

/// A call that did not give an answer we could use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectError {
    /// The API action, as `service:Action`.
    pub action: String,
    /// The AWS error code (`Throttling`, `AccessDenied`, ...) or ours for failures below the API
    /// (`Timeout`, `NetworkError`, `MalformedResponse`).
    pub code: String,
    pub kind: ErrorKind,
    pub message: String,
    /// Requests sent before giving up.
    #[serde(default)]
    pub attempts: u32,
}

/// Broad classes of collection failure; each maps to one ERROR reason code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Still throttled when the retry deadline ran out.
    Throttled,
    /// The credentials may not make this call.
    AccessDenied,
    /// The region is not enabled for the account.
    RegionNotEnabled,
    /// No answer in time.
    Timeout,
    /// Connection-level failure.
    Network,
    /// An answer that could not be understood, or that lacked what was asked for.
    MalformedResponse,
    /// Any other error the service returned.
    ServiceError,
}

impl Inventory {
    /// An empty inventory stamped with this build's version.
    pub fn new(collected_at: String) -> Self {
        Inventory {
            schema_version: SCHEMA_VERSION,
            generator: format!("assure {}", env!("CARGO_PKG_VERSION")),
            collected_at,
            accounts: Vec::new(),
            collection: None,
        }
    }
}
