//! Builds a remediation plan from SES-001's findings: for each failing identity, the steps that
//! make it pass, in the order that works (tokens before records before signing), and the records
//! to publish. Pure: no AWS calls; the hosted zones come in already looked up.

use super::plan::{HostedZone, PLAN_VERSION, Plan, PlanItem, Step};
use crate::dkim_records as dns;
use crate::findings::{Finding, ResourceType, Status};
use crate::inventory::{
    AccountInventory, DkimAttributes, Identity, IdentityKind, email_domain, normalize_name,
};
use std::collections::{BTreeMap, HashMap};

/// Mailbox providers: no customer can own their domains, so their addresses can never be signed
/// with their own domain. Matched on the first label with a short public suffix after it, so that
/// `hotmail.co.uk` and `yahoo.fr` count and `yahoo.mycompany.com` does not.
pub const MAILBOX_PROVIDERS: &[&str] = &[
    "gmail",
    "googlemail",
    "yahoo",
    "ymail",
    "rocketmail",
    "outlook",
    "hotmail",
    "live",
    "msn",
    "icloud",
    "me",
    "mac",
    "aol",
    "proton",
    "protonmail",
    "pm",
    "gmx",
    "web",
    "mail",
    "yandex",
    "qq",
    "163",
    "126",
    "zoho",
    "fastmail",
    "tutanota",
    "hey",
    "naver",
    "daum",
    "rediffmail",
    "libero",
    "orange",
    "wanadoo",
    "free",
    "laposte",
    "btinternet",
    "comcast",
    "seznam",
    "wp",
    "onet",
    "interia",
    "t-online",
    "mailbox",
    "posteo",
];

/// True for a mailbox provider's domain, such as `gmail.com` or `hotmail.co.uk`.
pub fn is_mailbox_provider(domain: &str) -> bool {
    let domain = dns::clean(domain);
    let Some((first, suffix)) = domain.split_once('.') else {
        return false;
    };
    // A public suffix like `com`, `fr`, `co.uk` or `com.br`: at most two short labels.
    let short_suffix = suffix.split('.').count() <= 2 && suffix.split('.').all(|l| l.len() <= 3);
    MAILBOX_PROVIDERS.contains(&first) && short_suffix
}

/// Public hosted zones, for finding where a domain's records go (longest suffix wins).
#[derive(Debug, Clone, Default)]
pub struct ZoneIndex {
    zones: Vec<HostedZone>,
}

impl ZoneIndex {
    pub fn new(zones: Vec<HostedZone>) -> Self {
        ZoneIndex { zones }
    }

    /// The most specific zone that contains `domain`. Two public zones of that same name are
    /// ambiguous (only one is delegated): then there is no answer, and records go to a person.
    pub fn find(&self, domain: &str) -> Option<&HostedZone> {
        let domain = dns::clean(domain);
        let candidates: Vec<&HostedZone> = self
            .zones
            .iter()
            .filter(|z| {
                let zone = dns::clean(&z.name);
                domain == zone || domain.ends_with(&format!(".{zone}"))
            })
            .collect();
        let best = candidates.iter().map(|z| dns::clean(&z.name).len()).max()?;
        let mut top = candidates
            .into_iter()
            .filter(|z| dns::clean(&z.name).len() == best);
        let first = top.next()?;
        top.next().is_none().then_some(first)
    }
}

/// Plans the fixes for one account's failing SES-001 findings.
pub fn plan(
    account: &AccountInventory,
    findings: &[Finding],
    zones: Option<&ZoneIndex>,
    created_at: String,
) -> Plan {
    let identities: HashMap<(&str, String), &Identity> = account
        .regions
        .iter()
        .flat_map(|r| {
            r.identities
                .iter()
                .map(move |i| ((r.region.as_str(), normalize_name(&i.name)), i))
        })
        .collect();
    let mut domain_items = Vec::new();
    let mut email_items = Vec::new();
    // Domains the plan must create so that addresses can be signed: (region, domain) -> addresses.
    let mut new_domains: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut not_planned = Vec::new();

    for f in findings
        .iter()
        .filter(|f| f.account_id == account.account_id)
    {
        if f.status == Status::Error {
            let what = match f.resource_type {
                ResourceType::Region => format!("region {}", f.region),
                _ => format!("{} in {}", f.resource_id, f.region),
            };
            not_planned.push(format!(
                "{what}: could not be evaluated ({}); scan again",
                f.reason
            ));
        }
        if f.status != Status::Fail {
            continue;
        }
        let identity = identities
            .get(&(f.region.as_str(), normalize_name(&f.resource_id)))
            .copied();
        match f.resource_type {
            ResourceType::Domain => {
                let zone = zones.and_then(|z| z.find(&f.resource_id)).cloned();
                domain_items.push(domain_item(f, identity, zone));
            }
            ResourceType::Email => {
                let before = identity.and_then(|i| i.dkim.clone());
                email_items.push(email_item(f, before, &mut new_domains));
            }
            ResourceType::Region => {}
        }
    }
    for ((region, domain), addresses) in new_domains {
        let zone = zones.and_then(|z| z.find(&domain)).cloned();
        domain_items.push(PlanItem {
            region,
            identity: domain.clone(),
            kind: IdentityKind::Domain,
            reason: "NO_SIGNING_DOMAIN".into(),
            before: None,
            steps: new_tokens_steps(&domain, zone),
            notes: vec![format!(
                "a new domain identity, so that {} can be signed",
                addresses.join(", ")
            )],
        });
    }
    // Domains before addresses: an address can only sign once its domain has Easy DKIM.
    domain_items.sort_by(|a, b| (&a.region, &a.identity).cmp(&(&b.region, &b.identity)));
    email_items.sort_by(|a, b| (&a.region, &a.identity).cmp(&(&b.region, &b.identity)));
    let mut items = domain_items;
    items.extend(email_items);

    Plan {
        plan_version: PLAN_VERSION,
        generator: format!("assure {}", env!("CARGO_PKG_VERSION")),
        created_at,
        rule_id: "SES-001".into(),
        account_id: account.account_id.clone(),
        partition: account.partition.clone(),
        dns_provider: zones.map(|_| "route53".to_string()),
        items,
        not_planned,
    }
}

/// Create (or restart) tokens, publish their records, switch signing on.
fn new_tokens_steps(domain: &str, zone: Option<HostedZone>) -> Vec<Step> {
    vec![
        Step::CreateDkimTokens {
            domain: domain.to_string(),
        },
        Step::PublishRecords {
            domain: domain.to_string(),
            records: Vec::new(),
            from_new_tokens: true,
            hosted_zone: zone,
        },
        Step::EnableSigning {
            identity: domain.to_string(),
        },
    ]
}

fn domain_item(f: &Finding, identity: Option<&Identity>, zone: Option<HostedZone>) -> PlanItem {
    let domain = f.resource_id.clone();
    let before = identity.and_then(|i| i.dkim.clone());
    let details = identity.and_then(|i| i.details.as_deref());
    let mut notes = Vec::new();
    let item = |steps: Vec<Step>, notes: Vec<String>| PlanItem {
        region: f.region.clone(),
        identity: domain.clone(),
        kind: IdentityKind::Domain,
        reason: f.reason.to_string(),
        before: before.clone(),
        steps,
        notes,
    };
    // A replica signs with its parent region's DKIM: nothing to change here.
    if let Some(parent) = details.and_then(|d| d.replica_of()) {
        let steps = vec![Step::Manual {
            instruction: format!(
                "{domain} in {} is a replica of the identity in {parent} and inherits its DKIM: fix it in {parent}",
                f.region
            ),
        }];
        return item(steps, notes);
    }
    let tokens = before
        .as_ref()
        .map(|d| d.tokens.clone())
        .unwrap_or_default();
    let byok = details.map_or(tokens.len() == 1, |d| d.is_byok());
    let publish_known = || Step::PublishRecords {
        domain: domain.clone(),
        records: dns::expected_records(&domain, &f.region, &tokens, details),
        from_new_tokens: false,
        hosted_zone: zone.clone(),
    };
    let enable = Step::EnableSigning {
        identity: domain.clone(),
    };
    let steps = if byok {
        // Never Easy DKIM steps: they would replace the customer's own key set-up.
        notes.push("bring-your-own-key identity: the record is a TXT holding your public key, which only you have".into());
        let mut steps = Vec::new();
        if !tokens.is_empty() {
            steps.push(publish_known());
        }
        if matches!(f.reason, "DKIM_FAILED" | "DKIM_NOT_STARTED") || tokens.is_empty() {
            steps.push(Step::Manual {
                instruction: format!(
                    "once the TXT record is published, restart verification by setting {domain}'s signing attributes again with your key (console: Authentication, Edit DKIM)"
                ),
            });
        }
        if f.reason == "DKIM_DISABLED" {
            steps.push(enable);
        }
        steps
    } else {
        match (f.reason, tokens.is_empty()) {
            ("DKIM_DISABLED", false) => vec![publish_known(), enable],
            ("DKIM_PENDING" | "DKIM_TEMPORARY_FAILURE", false) => {
                notes.push(
                    "SES keeps checking DNS for up to 72 hours; the records must match exactly"
                        .into(),
                );
                vec![publish_known()]
            }
            ("DKIM_FAILED", _) => {
                notes.push("SES stopped looking for the records after 72 hours: verification must start again, and the records must be right this time".into());
                new_tokens_steps(&domain, zone.clone())
            }
            // Never started, or no tokens to publish: start from the beginning.
            _ => new_tokens_steps(&domain, zone.clone()),
        }
    };
    item(steps, notes)
}

fn email_item(
    f: &Finding,
    before: Option<DkimAttributes>,
    new_domains: &mut BTreeMap<(String, String), Vec<String>>,
) -> PlanItem {
    let address = f.resource_id.clone();
    let own_domain = email_domain(&normalize_name(&address))
        .unwrap_or_default()
        .to_string();
    let mut steps = Vec::new();
    let mut notes = Vec::new();
    match &f.evidence.signing_domain {
        Some(domain) if f.evidence.signing_domain_reason != Some("DKIM_VERIFIED") => notes.push(format!(
            "signed once the domain identity {domain} passes: see its item"
        )),
        Some(_) => {}
        None if is_mailbox_provider(&own_domain) => steps.push(Step::Manual {
            instruction: format!(
                "{own_domain} belongs to a mailbox provider, so mail from {address} can never carry a DKIM signature of its own domain: send from an address on a domain you own"
            ),
        }),
        None => {
            new_domains
                .entry((f.region.clone(), own_domain.clone()))
                .or_default()
                .push(address.clone());
            notes.push(format!("signed once the new domain identity {own_domain} passes: see its item"));
        }
    }
    if f.reason == "DKIM_DISABLED" {
        steps.push(Step::EnableSigning {
            identity: address.clone(),
        });
    }
    PlanItem {
        region: f.region.clone(),
        identity: address,
        kind: IdentityKind::Email,
        reason: f.reason.to_string(),
        before,
        steps,
        notes,
    }
}

#[cfg(test)]
mod tests;
