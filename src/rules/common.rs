//! What the rules share: building findings for an identity or a region, and walking the domain
//! identities of an inventory.

use super::RuleMeta;
use crate::findings::{Evidence, Finding, ResourceType, Status, identity_arn};
use crate::inventory::{
    AccountInventory, CollectError, Identity, IdentityKind, Inventory, RegionInventory,
};

/// Where a finding is.
#[derive(Clone, Copy)]
pub struct Place<'a> {
    pub meta: &'static RuleMeta,
    pub account: &'a AccountInventory,
    pub region: &'a str,
}

impl Place<'_> {
    pub fn identity(
        &self,
        identity: &Identity,
        status: Status,
        reason: &'static str,
        message: String,
        evidence: Evidence,
    ) -> Finding {
        Finding {
            rule_id: self.meta.id,
            status,
            reason,
            message,
            risk: self.meta.risk,
            account_id: self.account.account_id.clone(),
            region: self.region.to_string(),
            resource_id: identity.name.clone(),
            resource_type: match identity.kind {
                IdentityKind::Domain => ResourceType::Domain,
                IdentityKind::Email => ResourceType::Email,
            },
            resource_arn: identity_arn(
                &self.account.partition,
                self.region,
                &self.account.account_id,
                &identity.name,
            ),
            evidence,
        }
    }

    pub fn region(
        &self,
        status: Status,
        reason: &'static str,
        message: String,
        evidence: Evidence,
    ) -> Finding {
        Finding {
            rule_id: self.meta.id,
            status,
            reason,
            message,
            risk: self.meta.risk,
            account_id: self.account.account_id.clone(),
            region: self.region.to_string(),
            resource_id: self.region.to_string(),
            resource_type: ResourceType::Region,
            resource_arn: identity_arn(
                &self.account.partition,
                self.region,
                &self.account.account_id,
                "*",
            ),
            evidence,
        }
    }
}

/// Every scanned region of every account, with its place for `meta`.
pub fn regions<'a>(
    inventory: &'a Inventory,
    meta: &'static RuleMeta,
) -> impl Iterator<Item = (Place<'a>, &'a RegionInventory)> {
    inventory.accounts.iter().flat_map(move |account| {
        account.regions.iter().map(move |region| {
            (
                Place {
                    meta,
                    account,
                    region: &region.region,
                },
                region,
            )
        })
    })
}

/// The domain identities of a region whose DKIM attributes were read and that have tokens.
pub fn domains_with_tokens(region: &RegionInventory) -> impl Iterator<Item = &Identity> {
    region.identities.iter().filter(|i| {
        i.kind == IdentityKind::Domain && i.dkim.as_ref().is_some_and(|d| !d.tokens.is_empty())
    })
}

/// Evidence of a failed read.
pub fn error_evidence(e: &CollectError) -> Evidence {
    Evidence {
        api_action: Some(e.action.clone()),
        error_code: Some(e.code.clone()),
        error_message: Some(e.message.clone()),
        attempts: Some(e.attempts),
        ..Evidence::default()
    }
}

/// ERROR for a domain whose SESv2 details could not be read, if that is the case.
pub fn details_unreadable(place: &Place, identity: &Identity) -> Option<Finding> {
    let e = identity.details_error.as_ref()?;
    Some(place.identity(
        identity,
        Status::Error,
        super::ses_001_dkim_enabled::error_reason(e.kind),
        format!(
            "SESv2 details could not be read: {} answered {} ({})",
            e.action, e.code, e.message
        ),
        error_evidence(e),
    ))
}
