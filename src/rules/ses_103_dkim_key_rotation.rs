//! SES-103 "DKIM key rotation": a bring-your-own-key identity's signing key must be rotated
//! (default: within 365 days). SES rotates Easy DKIM keys itself; a key you supplied stays until
//! you replace it, and an old key has had longer to leak.

use super::common::{Place, details_unreadable, regions};
use super::{Needs, Rule, RuleConfig, RuleMeta};
use crate::findings::{Evidence, Finding, Risk, Status};
use crate::inventory::{Identity, IdentityKind, Inventory};
use aws_sdk_ses::primitives::{DateTime, DateTimeFormat};

pub struct DkimKeyRotation;

static META: RuleMeta = RuleMeta {
    id: "SES-103",
    title: "DKIM key rotation",
    risk: Risk::Low,
    service: "ses",
    categories: &["email-authentication", "key-management"],
    article: include_str!("../../kb/SES-103.md"),
};

impl Rule for DkimKeyRotation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needs(&self) -> Needs {
        Needs {
            ses_v2: true,
            dns: false,
        }
    }

    fn evaluate(&self, inventory: &Inventory, config: &RuleConfig) -> Vec<Finding> {
        // Ages are measured at collection time, so a snapshot always gives the same verdicts.
        let now = DateTime::from_str(&inventory.collected_at, DateTimeFormat::DateTime)
            .map(|t| t.secs())
            .ok();
        let mut out = Vec::new();
        for (place, region) in regions(inventory, &META) {
            for identity in region
                .identities
                .iter()
                .filter(|i| i.kind == IdentityKind::Domain)
            {
                out.extend(judge(&place, identity, now, config.max_key_age_days));
            }
        }
        out
    }
}

fn judge(place: &Place, identity: &Identity, now: Option<i64>, max_days: u32) -> Option<Finding> {
    if let Some(unreadable) = details_unreadable(place, identity) {
        return Some(unreadable);
    }
    let details = identity.details.as_ref().filter(|d| d.is_byok())?;
    let mut evidence = Evidence {
        origin: details.origin.clone(),
        max_key_age_days: Some(max_days),
        ..Evidence::default()
    };
    let generated = details
        .last_key_generation
        .as_deref()
        .and_then(|t| DateTime::from_str(t, DateTimeFormat::DateTime).ok());
    let (Some(generated), Some(now)) = (generated, now) else {
        return Some(place.identity(
            identity,
            Status::Error,
            "KEY_AGE_UNKNOWN",
            "SES did not report when the key was set, so its age is unknown".into(),
            evidence,
        ));
    };
    let age_secs = (now - generated.secs()).max(0) as u64;
    let days = age_secs / 86_400;
    evidence.key_age_days = Some(days);
    Some(if age_secs > u64::from(max_days) * 86_400 {
        place.identity(
            identity,
            Status::Fail,
            "KEY_TOO_OLD",
            format!("the bring-your-own-key signing key is {days} days old, over the {max_days}-day limit; rotate it"),
            evidence,
        )
    } else {
        place.identity(
            identity,
            Status::Pass,
            "KEY_RECENT",
            format!("the bring-your-own-key signing key is {days} days old (limit {max_days})"),
            evidence,
        )
    })
}

#[cfg(test)]
mod tests;
