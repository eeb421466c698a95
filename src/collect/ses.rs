//! The SES collector for one account and region: reads every page of `ListIdentities` and the
//! DKIM attributes of every identity in batches of 100 (`GetIdentityDkimAttributes`), so a region
//! of n identities costs max(1, ceil(n/1000)) + ceil(n/100) requests. When a rule needs them, it
//! also reads each domain's SESv2 details (`GetEmailIdentity`, one request per domain, on the
//! same per-region pacing).

use super::pacing::Caller;
use super::paging::{Next, Tokens};
use super::progress::RegionProgress;
use crate::inventory::{
    CollectError, DkimAttributes, DkimStatus, ErrorKind, Identity, IdentityDetails,
    RegionInventory, RegionState,
};
use aws_sdk_ses::Client;
use aws_sdk_ses::types::IdentityDkimAttributes;
use std::collections::{HashMap, HashSet};

/// Most identities `ListIdentities` returns a page.
pub const LIST_PAGE_SIZE: i32 = 1000;
/// Most identities `GetIdentityDkimAttributes` accepts a call.
pub const DKIM_BATCH_SIZE: usize = 100;

const LIST: &str = "ses:ListIdentities";
const GET_DKIM: &str = "ses:GetIdentityDkimAttributes";

/// Collects one region. Never fails: what could not be read is recorded where it belongs.
pub async fn collect_region(
    client: &Client,
    details: Option<&aws_sdk_sesv2::Client>,
    caller: &Caller<'_>,
    region: &str,
    region_confirmed_enabled: bool,
    progress: &RegionProgress,
) -> RegionInventory {
    let mut inventory = RegionInventory {
        region: region.to_string(),
        state: RegionState::Scanned,
        listing_complete: true,
        errors: Vec::new(),
        identities: Vec::new(),
    };
    let names = match list_all(client, caller, progress).await {
        Listing::Complete(names) => names,
        Listing::Partial(names, err) => {
            inventory.listing_complete = false;
            inventory.errors.push(err);
            names
        }
        Listing::Nothing(err) => {
            inventory.listing_complete = false;
            // Where the account's enabled regions are unknown, "not a valid token here" means
            // the opt-in region is off: nothing can live there, so it is not an error.
            inventory.state =
                if err.kind == ErrorKind::RegionNotEnabled && !region_confirmed_enabled {
                    RegionState::NotEnabled
                } else {
                    RegionState::Error
                };
            progress.finish(&format!("{} ({})", state_word(inventory.state), err.code));
            inventory.errors.push(err);
            return inventory;
        }
    };

    progress.reading(names.len());
    inventory.identities.reserve_exact(names.len());
    for batch in names.chunks(DKIM_BATCH_SIZE) {
        let answer = caller
            .call(GET_DKIM, || {
                client
                    .get_identity_dkim_attributes()
                    .set_identities(Some(batch.to_vec()))
                    .send()
            })
            .await;
        match answer {
            Ok(out) => {
                let attrs = out.dkim_attributes;
                for name in batch {
                    inventory
                        .identities
                        .push(identity_from(name, lookup(&attrs, name)));
                }
            }
            Err(err) => {
                for name in batch {
                    inventory.identities.push(Identity {
                        error: Some(err.clone()),
                        ..Identity::new(name)
                    });
                }
            }
        }
        progress.advance(batch.len());
    }
    if let Some(v2) = details {
        read_details(v2, caller, &mut inventory.identities, progress).await;
    }
    let failed = inventory
        .identities
        .iter()
        .filter(|i| i.error.is_some())
        .count();
    let outcome = match (failed, inventory.listing_complete) {
        (0, true) => "done".to_string(),
        (0, false) => "listing incomplete".to_string(),
        (n, _) => format!("{n} unreadable"),
    };
    progress.finish(&outcome);
    inventory
}

fn state_word(state: RegionState) -> &'static str {
    match state {
        RegionState::NotEnabled => "not enabled",
        _ => "failed",
    }
}

enum Listing {
    Complete(Vec<String>),
    Partial(Vec<String>, CollectError),
    Nothing(CollectError),
}

/// Reads every page of `ListIdentities` (both identity types in one listing).
async fn list_all(client: &Client, caller: &Caller<'_>, progress: &RegionProgress) -> Listing {
    let mut names: Vec<String> = Vec::new();
    let mut tokens = Tokens::default();
    let mut token: Option<String> = None;
    let outcome = loop {
        let page = caller
            .call(LIST, || {
                client
                    .list_identities()
                    .max_items(LIST_PAGE_SIZE)
                    .set_next_token(token.clone())
                    .send()
            })
            .await;
        let page = match page {
            Ok(page) => page,
            Err(err) if names.is_empty() && token.is_none() => return Listing::Nothing(err),
            Err(err) => break Some(err),
        };
        names.extend(page.identities);
        progress.listed(names.len());
        match tokens.next(page.next_token) {
            Next::Page(next) => token = Some(next),
            Next::Done => break None,
            Next::Cycle => {
                break Some(malformed(
                    LIST,
                    "a NextToken came back twice; listing stopped",
                ));
            }
        }
    };
    // A name listed twice (pages shifting under concurrent changes) is judged once.
    let mut seen = HashSet::with_capacity(names.len());
    names.retain(|n| seen.insert(n.clone()));
    match outcome {
        None => Listing::Complete(names),
        Some(err) => Listing::Partial(names, err),
    }
}

fn malformed(action: &str, message: &str) -> CollectError {
    CollectError {
        action: action.to_string(),
        code: "MalformedResponse".into(),
        kind: ErrorKind::MalformedResponse,
        message: message.to_string(),
        attempts: 1,
    }
}

/// Finds a name in the answer, exactly or else without regard to case.
fn lookup<'a>(
    attrs: &'a HashMap<String, IdentityDkimAttributes>,
    name: &str,
) -> Option<&'a IdentityDkimAttributes> {
    attrs.get(name).or_else(|| {
        attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn identity_from(name: &str, attrs: Option<&IdentityDkimAttributes>) -> Identity {
    let mut identity = Identity::new(name);
    match attrs {
        None => {
            identity.error = Some(malformed(
                GET_DKIM,
                "the identity was missing from the answer",
            ))
        }
        Some(a) => match DkimStatus::parse(a.dkim_verification_status.as_str()) {
            Some(status) => {
                identity.dkim = Some(DkimAttributes {
                    enabled: a.dkim_enabled,
                    status,
                    tokens: a.dkim_tokens.clone().unwrap_or_default(),
                })
            }
            None => {
                let message = format!(
                    "unrecognised DkimVerificationStatus `{}`",
                    a.dkim_verification_status.as_str()
                );
                identity.error = Some(malformed(GET_DKIM, &message))
            }
        },
    }
    identity
}

/// Reads SESv2 `GetEmailIdentity` for every domain whose DKIM attributes were read.
async fn read_details(
    client: &aws_sdk_sesv2::Client,
    caller: &Caller<'_>,
    identities: &mut [Identity],
    progress: &RegionProgress,
) {
    let domains: Vec<&mut Identity> = identities
        .iter_mut()
        .filter(|i| i.kind == crate::inventory::IdentityKind::Domain && i.dkim.is_some())
        .collect();
    progress.reading_details(domains.len());
    for identity in domains {
        let answer = caller
            .call("sesv2:GetEmailIdentity", || {
                client
                    .get_email_identity()
                    .email_identity(&identity.name)
                    .send()
            })
            .await;
        match answer {
            Ok(out) => identity.details = Some(Box::new(details_from(&out))),
            Err(e) => identity.details_error = Some(Box::new(e)),
        }
        progress.advance(1);
    }
}

fn details_from(
    out: &aws_sdk_sesv2::operation::get_email_identity::GetEmailIdentityOutput,
) -> IdentityDetails {
    use aws_sdk_sesv2::primitives::DateTimeFormat;
    let dkim = out.dkim_attributes();
    IdentityDetails {
        origin: dkim
            .and_then(|d| d.signing_attributes_origin())
            .map(|o| o.as_str().to_string()),
        signing_hosted_zone: dkim
            .and_then(|d| d.signing_hosted_zone())
            .map(str::to_string),
        current_key_length: dkim
            .and_then(|d| d.current_signing_key_length())
            .map(|k| k.as_str().to_string()),
        next_key_length: dkim
            .and_then(|d| d.next_signing_key_length())
            .map(|k| k.as_str().to_string()),
        last_key_generation: dkim
            .and_then(|d| d.last_key_generation_timestamp())
            .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
        verification_error: out
            .verification_info()
            .and_then(|v| v.error_type())
            .map(|e| e.as_str().to_string()),
    }
}
