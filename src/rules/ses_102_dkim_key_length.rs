//! SES-102 "DKIM key length 2048-bit": Easy DKIM identities should sign with 2048-bit RSA keys.
//! 1024-bit keys are within reach of well-funded attackers and are being phased out by receivers.

use super::common::{Place, details_unreadable, regions};
use super::{Needs, Rule, RuleConfig, RuleMeta};
use crate::findings::{Evidence, Finding, Risk, Status};
use crate::inventory::{Identity, IdentityKind, Inventory};

pub struct DkimKeyLength;

static META: RuleMeta = RuleMeta {
    id: "SES-102",
    title: "DKIM key length 2048-bit",
    risk: Risk::Medium,
    service: "ses",
    categories: &["email-authentication", "cryptography"],
    article: include_str!("../../kb/SES-102.md"),
};

impl Rule for DkimKeyLength {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needs(&self) -> Needs {
        Needs {
            ses_v2: true,
            dns: false,
        }
    }

    fn evaluate(&self, inventory: &Inventory, _: &RuleConfig) -> Vec<Finding> {
        let mut out = Vec::new();
        for (place, region) in regions(inventory, &META) {
            let mut unread = 0;
            for identity in region
                .identities
                .iter()
                .filter(|i| i.kind == IdentityKind::Domain)
            {
                match judge(&place, identity) {
                    Some(f) => out.push(f),
                    None if identity.details.is_none()
                        && identity.details_error.is_none()
                        && identity.dkim.is_some() =>
                    {
                        unread += 1
                    }
                    None => {}
                }
            }
            if unread > 0 {
                out.push(place.region(
                    Status::Info,
                    "DETAILS_NOT_COLLECTED",
                    format!("{unread} domain(s) have no SESv2 details in this inventory, so their key length is unknown"),
                    Evidence::default(),
                ));
            }
        }
        out
    }
}

fn judge(place: &Place, identity: &Identity) -> Option<Finding> {
    if let Some(unreadable) = details_unreadable(place, identity) {
        return Some(unreadable);
    }
    let details = identity.details.as_ref()?;
    // A bring-your-own-key identity's key length is the customer's, not reported by SES.
    let length = details.current_key_length.as_deref()?;
    let evidence = Evidence {
        key_length: Some(length.to_string()),
        origin: details.origin.clone(),
        ..Evidence::default()
    };
    Some(match length {
        "RSA_1024_BIT" => place.identity(
            identity,
            Status::Fail,
            "KEY_1024_BIT",
            "mail is signed with a 1024-bit DKIM key; switch the next key to RSA_2048_BIT".into(),
            evidence,
        ),
        _ => place.identity(
            identity,
            Status::Pass,
            "KEY_2048_BIT",
            format!("the DKIM signing key is {length}"),
            evidence,
        ),
    })
}

#[cfg(test)]
mod tests;
