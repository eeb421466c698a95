//! The right steps for each reason, in the right order.

use super::*;
use crate::inventory::{DkimStatus, Inventory, RegionInventory, RegionSource, RegionState};
use crate::rules::{self, RuleConfig};

fn ident(name: &str, enabled: bool, status: DkimStatus, tokens: usize) -> Identity {
    Identity {
        dkim: Some(DkimAttributes {
            enabled,
            status,
            tokens: (0..tokens).map(|i| format!("tok{i}")).collect(),
        }),
        ..Identity::new(name)
    }
}

fn plan_for(region: &str, identities: Vec<Identity>, zones: Option<&ZoneIndex>) -> Plan {
    let mut inv = Inventory::new("now".into());
    inv.accounts.push(AccountInventory {
        account_id: "111122223333".into(),
        partition: "aws".into(),
        region_source: RegionSource::Requested,
        regions: vec![RegionInventory {
            region: region.into(),
            state: RegionState::Scanned,
            listing_complete: true,
            errors: vec![],
            identities,
        }],
    });
    let findings = rules::find("SES-001")
        .unwrap()
        .evaluate(&inv, &RuleConfig::default());
    plan(&inv.accounts[0], &findings, zones, "now".into())
}

fn actions(item: &PlanItem) -> Vec<&'static str> {
    item.steps
        .iter()
        .map(|s| match s {
            Step::CreateDkimTokens { .. } => "tokens",
            Step::PublishRecords {
                from_new_tokens: true,
                ..
            } => "publish-new",
            Step::PublishRecords { .. } => "publish",
            Step::EnableSigning { .. } => "enable",
            Step::Manual { .. } => "manual",
        })
        .collect()
}

fn item<'a>(plan: &'a Plan, identity: &str) -> &'a PlanItem {
    plan.items
        .iter()
        .find(|i| i.identity == identity)
        .unwrap_or_else(|| panic!("no item for {identity}"))
}

#[test]
fn each_domain_reason_gets_its_steps() {
    let p = plan_for(
        "us-east-1",
        vec![
            ident("ok.example.com", true, DkimStatus::Success, 3),
            ident("never.example.com", true, DkimStatus::NotStarted, 0),
            ident("off.example.com", false, DkimStatus::Success, 3),
            ident("pending.example.com", true, DkimStatus::Pending, 3),
            ident("temp.example.com", true, DkimStatus::TemporaryFailure, 3),
            ident("failed.example.com", true, DkimStatus::Failed, 3),
        ],
        None,
    );
    assert!(
        p.items.iter().all(|i| i.identity != "ok.example.com"),
        "nothing for a pass"
    );
    assert_eq!(
        actions(item(&p, "never.example.com")),
        ["tokens", "publish-new", "enable"]
    );
    assert_eq!(actions(item(&p, "off.example.com")), ["publish", "enable"]);
    assert_eq!(actions(item(&p, "pending.example.com")), ["publish"]);
    assert_eq!(actions(item(&p, "temp.example.com")), ["publish"]);
    let failed = item(&p, "failed.example.com");
    assert_eq!(actions(failed), ["tokens", "publish-new", "enable"]);
    assert!(
        failed
            .notes
            .iter()
            .any(|n| n.contains("verification must start again"))
    );
    // Known records are the Easy DKIM CNAMEs.
    let Step::PublishRecords { records, .. } = &item(&p, "off.example.com").steps[0] else {
        panic!()
    };
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].value, "tok0.dkim.amazonses.com");
}

#[test]
fn a_bring_your_own_key_domain_gets_a_txt_record_never_cnames() {
    let p = plan_for(
        "eu-west-1",
        vec![ident("byok.example.com", false, DkimStatus::Success, 1)],
        None,
    );
    let Step::PublishRecords { records, .. } = &item(&p, "byok.example.com").steps[0] else {
        panic!()
    };
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].rtype, dns::RecordType::Txt);
    assert_eq!(records[0].name, "tok0._domainkey.byok.example.com");
}

#[test]
fn addresses_are_fixed_through_their_domain() {
    let p = plan_for(
        "af-south-1",
        vec![
            ident("pending.example.com", true, DkimStatus::Pending, 3),
            ident("a@pending.example.com", true, DkimStatus::Pending, 0),
            ident("b@unknown.example.net", true, DkimStatus::NotStarted, 0),
            ident("c@unknown.example.net", false, DkimStatus::NotStarted, 0),
            ident("d@gmail.com", true, DkimStatus::NotStarted, 0),
        ],
        None,
    );
    // Failing domain: the address waits for the domain's own item.
    let a = item(&p, "a@pending.example.com");
    assert!(a.steps.is_empty());
    assert!(a.notes[0].contains("pending.example.com"));
    // Absent domain: one new domain item for both addresses, planned before them.
    let new_domain = item(&p, "unknown.example.net");
    assert_eq!(actions(new_domain), ["tokens", "publish-new", "enable"]);
    assert!(new_domain.before.is_none());
    assert!(
        new_domain.notes[0].contains("b@unknown.example.net")
            && new_domain.notes[0].contains("c@unknown.example.net")
    );
    assert_eq!(
        p.items
            .iter()
            .filter(|i| i.identity == "unknown.example.net")
            .count(),
        1
    );
    let pos = |id: &str| p.items.iter().position(|i| i.identity == id).unwrap();
    assert!(pos("unknown.example.net") < pos("b@unknown.example.net"));
    // Its own flag off: switched on too.
    assert_eq!(actions(item(&p, "c@unknown.example.net")), ["enable"]);
    // A mailbox provider's domain cannot be fixed: say why, by hand.
    let d = item(&p, "d@gmail.com");
    assert_eq!(actions(d), ["manual"]);
    let Step::Manual { instruction } = &d.steps[0] else {
        panic!()
    };
    assert!(instruction.contains("mailbox provider"));
}

#[test]
fn records_go_to_the_most_specific_public_zone() {
    let zones = ZoneIndex::new(vec![
        HostedZone {
            id: "ZPARENT".into(),
            name: "example.com".into(),
        },
        HostedZone {
            id: "ZCHILD".into(),
            name: "mail.example.com.".into(),
        },
        HostedZone {
            id: "ZEVIL".into(),
            name: "ample.com".into(),
        },
    ]);
    assert_eq!(zones.find("a.mail.example.com").unwrap().id, "ZCHILD");
    assert_eq!(zones.find("shop.example.com").unwrap().id, "ZPARENT");
    assert_eq!(zones.find("EXAMPLE.COM.").unwrap().id, "ZPARENT");
    assert!(zones.find("example.org").is_none());
    // Labels, not characters: ample.com does not hold sample.com.
    assert!(zones.find("sample.com").is_none());
    // Two public zones of one name: ambiguous, so no automatic changes.
    let twins = ZoneIndex::new(vec![
        HostedZone {
            id: "Z1".into(),
            name: "example.net".into(),
        },
        HostedZone {
            id: "Z2".into(),
            name: "example.net".into(),
        },
    ]);
    assert!(twins.find("mail.example.net").is_none());
    let p = plan_for(
        "us-east-1",
        vec![ident("x.mail.example.com", false, DkimStatus::Success, 3)],
        Some(&zones),
    );
    let Step::PublishRecords { hosted_zone, .. } = &item(&p, "x.mail.example.com").steps[0] else {
        panic!()
    };
    assert_eq!(hosted_zone.as_ref().unwrap().id, "ZCHILD");
    assert_eq!(p.dns_provider.as_deref(), Some("route53"));
}

#[test]
fn mailbox_providers_are_recognised_in_their_country_domains_only() {
    for d in [
        "gmail.com",
        "hotmail.co.uk",
        "yahoo.fr",
        "outlook.de",
        "GMX.NET",
        "yahoo.com.br",
    ] {
        assert!(is_mailbox_provider(d), "{d}");
    }
    for d in [
        "example.com",
        "yahoo.mycompany.com",
        "mail.example.org",
        "gmail",
        "corp.gmail.example",
    ] {
        assert!(!is_mailbox_provider(d), "{d}");
    }
}

#[test]
fn sesv2_details_decide_replicas_and_bring_your_own_key() {
    use crate::inventory::IdentityDetails;
    let with = |mut i: Identity, origin: &str| {
        i.details = Some(Box::new(IdentityDetails {
            origin: Some(origin.into()),
            ..IdentityDetails::default()
        }));
        i
    };
    let p = plan_for(
        "eu-central-1",
        vec![
            with(
                ident("replica.example.com", false, DkimStatus::Success, 3),
                "AWS_SES_EU_WEST_1",
            ),
            // Own key, never started: no Easy DKIM tokens may replace it.
            with(
                ident("own.example.com", true, DkimStatus::NotStarted, 0),
                "EXTERNAL",
            ),
        ],
        None,
    );
    let replica = item(&p, "replica.example.com");
    assert_eq!(actions(replica), ["manual"]);
    let Step::Manual { instruction } = &replica.steps[0] else {
        panic!()
    };
    assert!(instruction.contains("fix it in eu-west-1"), "{instruction}");
    let own = item(&p, "own.example.com");
    assert_eq!(actions(own), ["manual"]);
    assert!(own.notes[0].contains("bring-your-own-key"));
}
