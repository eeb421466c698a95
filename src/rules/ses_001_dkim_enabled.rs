//! SES-001 "DKIM Enabled": every SES identity, in every region, must have its mail DKIM-signed.
//!
//! Strict mode (the default) judges what happens to mail: a domain signs only when signing is on
//! *and* SES has verified its DKIM records; an address signs through the most specific domain
//! identity that covers it. Conformity mode reproduces the original check, which reads only the
//! `DkimEnabled` flag (true by default, so it passes domains whose DKIM never started).

use super::common::{Place, error_evidence};
use super::{Mode, Rule, RuleConfig, RuleMeta};
use crate::findings::{Evidence, Finding, Risk, Status};
use crate::inventory::{
    AccountInventory, CollectError, DkimAttributes, DkimStatus, ErrorKind, Identity, IdentityKind,
    Inventory, RegionInventory, RegionState, covering_domains, email_domain, normalize_name,
};
use std::collections::HashMap;

pub struct DkimEnabled;

static META: RuleMeta = RuleMeta {
    id: "SES-001",
    title: "DKIM Enabled",
    risk: Risk::Low,
    service: "ses",
    categories: &["email-authentication", "anti-spoofing"],
    article: include_str!("../../kb/SES-001.md"),
};

impl Rule for DkimEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn evaluate(&self, inventory: &Inventory, config: &RuleConfig) -> Vec<Finding> {
        // One finding per identity, plus at most one per region.
        let expected = inventory
            .accounts
            .iter()
            .flat_map(|a| &a.regions)
            .map(|r| r.identities.len() + 1)
            .sum();
        let mut out = Vec::with_capacity(expected);
        for account in &inventory.accounts {
            for region in &account.regions {
                evaluate_region(account, region, config.mode, &mut out);
            }
        }
        out
    }
}

/// A domain identity's verdict, kept so addresses under it can refer to it.
#[derive(Clone, Copy)]
struct DomainVerdict<'a> {
    name: &'a str,
    status: Status,
    reason: &'static str,
}

fn evaluate_region(
    account: &AccountInventory,
    region: &RegionInventory,
    mode: Mode,
    out: &mut Vec<Finding>,
) {
    let ctx = Ctx {
        account,
        region: &region.region,
        mode,
    };
    match region.state {
        RegionState::NotEnabled => {
            out.push(
                ctx.region_finding(
                    Status::Info,
                    "REGION_NOT_ENABLED",
                    "region skipped: it is not enabled for this account, so it holds no identities"
                        .to_string(),
                    region.errors.first(),
                ),
            );
            return;
        }
        RegionState::Error => {
            let err = region.errors.first();
            let reason = err.map_or("API_ERROR", |e| error_reason(e.kind));
            let message = match err {
                Some(e) => format!("identities could not be listed: {}", describe(e)),
                None => "identities could not be listed".to_string(),
            };
            out.push(ctx.region_finding(Status::Error, reason, message, err));
            return;
        }
        RegionState::Scanned => {}
    }
    if !region.listing_complete {
        let err = region.errors.first();
        let message = match err {
            Some(e) => format!(
                "only part of the identities could be listed ({} read): {}",
                region.identities.len(),
                describe(e)
            ),
            None => "only part of the identities could be listed".to_string(),
        };
        let reason = err.map_or("API_ERROR", |e| error_reason(e.kind));
        out.push(ctx.region_finding(Status::Error, reason, message, err));
    }

    // Domains first: addresses are judged by the domain that covers them.
    let mut domains: HashMap<String, DomainVerdict> = HashMap::new();
    for identity in region
        .identities
        .iter()
        .filter(|i| i.kind == IdentityKind::Domain)
    {
        let finding = ctx
            .judge_replica(identity)
            .unwrap_or_else(|| ctx.judge_domain(identity));
        domains
            .entry(normalize_name(&identity.name))
            .or_insert(DomainVerdict {
                name: &identity.name,
                status: finding.status,
                reason: finding.reason,
            });
        out.push(finding);
    }
    for identity in region
        .identities
        .iter()
        .filter(|i| i.kind == IdentityKind::Email)
    {
        out.push(ctx.judge_email(identity, &domains, region.listing_complete));
    }
}

struct Ctx<'a> {
    account: &'a AccountInventory,
    region: &'a str,
    mode: Mode,
}

impl Ctx<'_> {
    fn place(&self) -> Place<'_> {
        Place {
            meta: &META,
            account: self.account,
            region: self.region,
        }
    }

    fn finding(
        &self,
        identity: &Identity,
        status: Status,
        reason: &'static str,
        message: String,
        mut evidence: Evidence,
    ) -> Finding {
        evidence.mode = Some(self.mode.as_str());
        self.place()
            .identity(identity, status, reason, message, evidence)
    }

    fn region_finding(
        &self,
        status: Status,
        reason: &'static str,
        message: String,
        err: Option<&CollectError>,
    ) -> Finding {
        let mut evidence = err.map(error_evidence).unwrap_or_default();
        evidence.mode = Some(self.mode.as_str());
        self.place().region(status, reason, message, evidence)
    }

    /// ERROR for an identity whose attributes could not be read.
    fn unreadable(&self, identity: &Identity) -> Finding {
        match &identity.error {
            Some(e) => self.finding(
                identity,
                Status::Error,
                error_reason(e.kind),
                format!("DKIM attributes could not be read: {}", describe(e)),
                error_evidence(e),
            ),
            None => self.finding(
                identity,
                Status::Error,
                "MALFORMED_RESPONSE",
                "DKIM attributes are missing from the inventory".to_string(),
                Evidence::default(),
            ),
        }
    }

    fn judge_domain(&self, identity: &Identity) -> Finding {
        let Some(dkim) = &identity.dkim else {
            return self.unreadable(identity);
        };
        let evidence = dkim_evidence(dkim);
        if self.mode == Mode::Conformity {
            return self.by_flag_only(identity, dkim, evidence);
        }
        let off = if dkim.enabled {
            ""
        } else {
            ", and signing is switched off"
        };
        let (reason, message) = match (dkim.status, dkim.enabled) {
            (DkimStatus::NotStarted, _) => (
                "DKIM_NOT_STARTED",
                format!("DKIM was never set up: no DKIM records were created for this domain{off}"),
            ),
            (DkimStatus::Failed, _) => (
                "DKIM_FAILED",
                format!(
                    "SES could not find the DKIM records and gave up; new records are needed{off}"
                ),
            ),
            (_, false) => (
                "DKIM_DISABLED",
                format!(
                    "DKIM signing is switched off (records status: {})",
                    dkim.status.as_str()
                ),
            ),
            (DkimStatus::Pending, true) => (
                "DKIM_PENDING",
                "SES has not yet found the DKIM records in DNS, so mail is not signed yet"
                    .to_string(),
            ),
            (DkimStatus::TemporaryFailure, true) => (
                "DKIM_TEMPORARY_FAILURE",
                "SES can no longer find the DKIM records; signing stops if they stay missing"
                    .to_string(),
            ),
            (DkimStatus::Success, true) => {
                return self.finding(
                    identity,
                    Status::Pass,
                    "DKIM_VERIFIED",
                    "DKIM signing is on and SES has verified the records".to_string(),
                    evidence,
                );
            }
        };
        let (message, evidence) = with_dns_cause(identity, reason, message, evidence);
        self.finding(identity, Status::Fail, reason, message, evidence)
    }

    /// A replica identity (SESv2 origin `AWS_SES_<REGION>`) signs with its parent region's DKIM,
    /// so the parent's state decides.
    fn judge_replica(&self, identity: &Identity) -> Option<Finding> {
        let parent = identity.details.as_ref()?.replica_of()?;
        let parent_identity = self
            .account
            .regions
            .iter()
            .filter(|r| r.region == parent)
            .flat_map(|r| &r.identities)
            .find(|i| i.name.eq_ignore_ascii_case(&identity.name));
        let mut finding = match parent_identity {
            Some(original) => {
                let parent_ctx = Ctx {
                    account: self.account,
                    region: &parent,
                    mode: self.mode,
                };
                let mut f = parent_ctx.judge_domain(original);
                f.message = format!("replica of the identity in {parent}: {}", f.message);
                f
            }
            None => {
                let mut f = self.judge_domain(identity);
                f.message = format!(
                    "{} (a replica of {parent}, which was not scanned)",
                    f.message
                );
                f
            }
        };
        let own = self.finding(
            identity,
            finding.status,
            finding.reason,
            String::new(),
            Evidence::default(),
        );
        finding.region = own.region;
        finding.resource_arn = own.resource_arn;
        finding.resource_id = own.resource_id;
        finding.evidence.replica_of = Some(parent);
        Some(finding)
    }

    fn judge_email(
        &self,
        identity: &Identity,
        domains: &HashMap<String, DomainVerdict>,
        listing_complete: bool,
    ) -> Finding {
        let Some(dkim) = &identity.dkim else {
            return self.unreadable(identity);
        };
        let mut evidence = dkim_evidence(dkim);
        if self.mode == Mode::Conformity {
            return self.by_flag_only(identity, dkim, evidence);
        }
        let name = normalize_name(&identity.name);
        let domain = email_domain(&name).unwrap_or("");
        let cover = covering_domains(domain).find_map(|d| domains.get(d).map(|v| (d, v)));
        // In a partial listing, a more specific domain than the one found may exist unlisted.
        let cover_is_exact = cover.is_some_and(|(d, _)| d == domain);
        let cover = cover.map(|(_, v)| v);
        if !dkim.enabled {
            let context = match cover {
                Some(c) => {
                    evidence.signing_domain = Some(c.name.to_string());
                    evidence.signing_domain_reason = Some(c.reason);
                    format!("; its domain identity {} is {}", c.name, c.reason)
                }
                None => format!("; no domain identity covers {domain} either"),
            };
            return self.finding(
                identity,
                Status::Fail,
                "DKIM_DISABLED",
                format!("DKIM signing is switched off for this address{context}"),
                evidence,
            );
        }
        if !listing_complete && !cover_is_exact {
            return self.finding(
                identity,
                Status::Error,
                "LISTING_INCOMPLETE",
                format!(
                    "which domain identity signs for {domain} cannot be known: the region's listing is incomplete"
                ),
                evidence,
            );
        }
        let Some(cover) = cover else {
            return self.finding(
                identity,
                Status::Fail,
                "NO_SIGNING_DOMAIN",
                format!(
                    "no domain identity for {domain} or a parent domain exists in this region, so nothing signs this address"
                ),
                evidence,
            );
        };
        evidence.signing_domain = Some(cover.name.to_string());
        evidence.signing_domain_reason = Some(cover.reason);
        match cover.status {
            Status::Pass => self.finding(
                identity,
                Status::Pass,
                "SIGNED_BY_DOMAIN",
                format!("signed through the domain identity {}", cover.name),
                evidence,
            ),
            Status::Error => self.finding(
                identity,
                Status::Error,
                "SIGNING_DOMAIN_UNREADABLE",
                format!(
                    "the covering domain identity {} could not be evaluated ({})",
                    cover.name, cover.reason
                ),
                evidence,
            ),
            _ => self.finding(
                identity,
                Status::Fail,
                "NO_SIGNING_DOMAIN",
                format!(
                    "the covering domain identity {} does not sign ({})",
                    cover.name, cover.reason
                ),
                evidence,
            ),
        }
    }

    /// Conformity mode: the original check reads only the flag.
    fn by_flag_only(
        &self,
        identity: &Identity,
        dkim: &DkimAttributes,
        evidence: Evidence,
    ) -> Finding {
        if dkim.enabled {
            self.finding(
                identity,
                Status::Pass,
                "DKIM_FLAG_ENABLED",
                format!(
                    "DkimEnabled is true (conformity mode ignores the records status, here {})",
                    dkim.status.as_str()
                ),
                evidence,
            )
        } else {
            self.finding(
                identity,
                Status::Fail,
                "DKIM_DISABLED",
                "DkimEnabled is false: mail from this identity is not DKIM-signed".to_string(),
                evidence,
            )
        }
    }
}

/// For a domain SES cannot verify, what DNS and SES say about why.
fn with_dns_cause(
    identity: &Identity,
    reason: &str,
    message: String,
    mut evidence: Evidence,
) -> (String, Evidence) {
    if !matches!(
        reason,
        "DKIM_PENDING" | "DKIM_TEMPORARY_FAILURE" | "DKIM_FAILED"
    ) {
        return (message, evidence);
    }
    let mut causes = Vec::new();
    if let Some(observations) = &identity.dns {
        let bad: Vec<String> = observations
            .iter()
            .filter_map(|o| {
                let state = super::ses_101_dkim_dns_records::record_state(o);
                (state != "ok").then(|| format!("{} {}", o.name, state.replace('_', " ")))
            })
            .collect();
        if bad.is_empty() {
            causes.push(
                "all DKIM records are in DNS now; SES should see them at its next check"
                    .to_string(),
            );
        } else {
            causes.push(format!("DNS: {}", bad.join(", ")));
        }
    }
    if let Some(error) = identity
        .details
        .as_ref()
        .and_then(|d| d.verification_error.clone())
    {
        causes.push(format!("SES reports {error}"));
        evidence.verification_error = Some(error);
    }
    if causes.is_empty() {
        return (message, evidence);
    }
    let cause = causes.join("; ");
    evidence.dns_problem = Some(cause.clone());
    (format!("{message} ({cause})"), evidence)
}

fn dkim_evidence(dkim: &DkimAttributes) -> Evidence {
    Evidence {
        dkim_enabled: Some(dkim.enabled),
        dkim_status: Some(dkim.status.as_str()),
        dkim_tokens: Some(dkim.tokens.len()),
        ..Evidence::default()
    }
}

fn describe(e: &CollectError) -> String {
    format!("{} answered {} ({})", e.action, e.code, e.message)
}

/// The ERROR reason code for each class of collection failure.
pub fn error_reason(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Throttled => "THROTTLED",
        ErrorKind::AccessDenied => "ACCESS_DENIED",
        ErrorKind::RegionNotEnabled => "REGION_NOT_ENABLED",
        ErrorKind::Timeout => "TIMEOUT",
        ErrorKind::Network => "NETWORK_ERROR",
        ErrorKind::MalformedResponse => "MALFORMED_RESPONSE",
        ErrorKind::ServiceError => "API_ERROR",
    }
}

#[cfg(test)]
mod tests;
