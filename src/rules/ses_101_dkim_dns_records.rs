//! SES-101 "DKIM DNS records published": the DNS itself must hold each DKIM record SES expects,
//! with the right value. SES can show Success for days after a record was deleted, and stays
//! Pending forever over a one-character typo; only a look at DNS tells which.

use super::common::{Place, domains_with_tokens, regions};
use super::{Needs, Rule, RuleConfig, RuleMeta};
use crate::dkim_records as dns;
use crate::findings::{Evidence, Finding, RecordEvidence, Risk, Status};
use crate::inventory::{DnsObservation, Identity, Inventory};

pub struct DkimDnsRecords;

static META: RuleMeta = RuleMeta {
    id: "SES-101",
    title: "DKIM DNS records published",
    risk: Risk::Medium,
    service: "ses",
    categories: &["email-authentication", "dns"],
    article: include_str!("../../kb/SES-101.md"),
};

impl Rule for DkimDnsRecords {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needs(&self) -> Needs {
        // SESv2 details sharpen the expected targets (origin, hosted zone) when another rule
        // has them read, but DNS alone costs no SES request.
        Needs {
            dns: true,
            ses_v2: false,
        }
    }

    fn evaluate(&self, inventory: &Inventory, _: &RuleConfig) -> Vec<Finding> {
        let mut out = Vec::new();
        for (place, region) in regions(inventory, &META) {
            let mut unchecked = 0;
            for identity in domains_with_tokens(region) {
                match &identity.dns {
                    Some(observations) => out.push(judge(&place, identity, observations)),
                    None if identity
                        .details
                        .as_ref()
                        .and_then(|d| d.replica_of())
                        .is_some() =>
                    {
                        out.push(replica(&place, identity))
                    }
                    None => unchecked += 1,
                }
            }
            if unchecked > 0 {
                out.push(place.region(
                    Status::Info,
                    "DNS_NOT_CHECKED",
                    format!("{unchecked} domain(s) with DKIM tokens were not looked up in DNS (--no-dns, or a snapshot without DNS data)"),
                    Evidence::default(),
                ));
            }
        }
        out
    }
}

fn replica(place: &Place, identity: &Identity) -> Finding {
    let parent = identity.details.as_ref().and_then(|d| d.replica_of());
    place.identity(
        identity,
        Status::Info,
        "REPLICA_INHERITS_DKIM",
        format!(
            "a replica of the identity in {}: it uses that region's DKIM records and needs none of its own",
            parent.as_deref().unwrap_or("another region")
        ),
        Evidence {
            replica_of: parent,
            ..Evidence::default()
        },
    )
}

/// How one observation compares with what SES expects.
pub fn record_state(o: &DnsObservation) -> &'static str {
    if o.error.is_some() {
        return "lookup_failed";
    }
    let Some(found_type) = o.found_type.as_deref() else {
        return "missing";
    };
    if found_type != o.expected_type {
        return "conflict";
    }
    let right = match o.expected_type.as_str() {
        "TXT" => o.found.iter().any(|t| has_key(t)),
        _ => o.found.len() == 1 && dns::clean(&o.found[0]) == dns::clean(&o.expected),
    };
    if right { "ok" } else { "wrong_target" }
}

/// A DKIM key record carries a non-empty `p=` tag.
fn has_key(txt: &str) -> bool {
    txt.split(';')
        .filter_map(|tag| tag.trim().strip_prefix("p="))
        .any(|key| !key.trim().is_empty())
}

fn describe_found(o: &DnsObservation) -> String {
    match (&o.error, &o.found_type) {
        (Some(e), _) => format!("lookup failed: {e}"),
        (None, None) => "none".into(),
        (None, Some(t)) => format!("{t} {}", o.found.join(" ")),
    }
}

fn judge(place: &Place, identity: &Identity, observations: &[DnsObservation]) -> Finding {
    let records: Vec<RecordEvidence> = observations
        .iter()
        .map(|o| RecordEvidence {
            name: o.name.clone(),
            expected: format!("{} {}", o.expected_type, o.expected),
            found: describe_found(o),
            state: record_state(o),
        })
        .collect();
    let count = |state: &str| records.iter().filter(|r| r.state == state).count();
    let first = |state: &str| records.iter().find(|r| r.state == state);
    let (status, reason, message) = if let Some(r) = first("conflict") {
        (
            Status::Fail,
            "RECORD_CONFLICT",
            format!("{} holds {} where {} must be", r.name, r.found, r.expected),
        )
    } else if let Some(r) = first("wrong_target") {
        (
            Status::Fail,
            "RECORD_WRONG_TARGET",
            format!("{} is {}, expected {}", r.name, r.found, r.expected),
        )
    } else if let Some(r) = first("missing") {
        (
            Status::Fail,
            "RECORD_MISSING",
            format!(
                "{} of {} DKIM record(s) missing, such as {} ({})",
                count("missing"),
                records.len(),
                r.name,
                r.expected
            ),
        )
    } else if let Some(r) = first("lookup_failed") {
        (
            Status::Error,
            "DNS_LOOKUP_FAILED",
            format!("{}: {}", r.name, r.found),
        )
    } else {
        (
            Status::Pass,
            "RECORDS_PUBLISHED",
            format!(
                "all {} DKIM record(s) are published with the expected values",
                records.len()
            ),
        )
    };
    let details = identity.details.as_ref();
    place.identity(
        identity,
        status,
        reason,
        message,
        Evidence {
            origin: details.and_then(|d| d.origin.clone()),
            records: Some(records),
            ..Evidence::default()
        },
    )
}

#[cfg(test)]
mod tests;
