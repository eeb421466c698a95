//! Every reason of SES-101.

use super::*;
use crate::inventory::{
    AccountInventory, DkimAttributes, DkimStatus, IdentityDetails, RegionInventory, RegionSource,
    RegionState,
};

fn obs(
    name: &str,
    expected_type: &str,
    expected: &str,
    found: Option<(&str, &str)>,
    error: Option<&str>,
) -> DnsObservation {
    DnsObservation {
        name: name.into(),
        expected_type: expected_type.into(),
        expected: expected.into(),
        found_type: found.map(|(t, _)| t.to_string()),
        found: found.map(|(_, v)| vec![v.to_string()]).unwrap_or_default(),
        error: error.map(str::to_string),
    }
}

fn domain(
    name: &str,
    dns: Option<Vec<DnsObservation>>,
    details: Option<IdentityDetails>,
) -> Identity {
    Identity {
        dkim: Some(DkimAttributes {
            enabled: true,
            status: DkimStatus::Success,
            tokens: vec!["t1".into(), "t2".into(), "t3".into()],
        }),
        dns,
        details: details.map(Box::new),
        ..Identity::new(name)
    }
}

fn run(identities: Vec<Identity>) -> Vec<Finding> {
    let mut inv = Inventory::new("2026-12-01T00:00:00Z".into());
    inv.accounts.push(AccountInventory {
        account_id: "111122223333".into(),
        partition: "aws".into(),
        region_source: RegionSource::Requested,
        regions: vec![RegionInventory {
            region: "af-south-1".into(),
            state: RegionState::Scanned,
            listing_complete: true,
            errors: vec![],
            identities,
        }],
    });
    DkimDnsRecords.evaluate(&inv, &RuleConfig::default())
}

fn verdict<'a>(f: &'a [Finding], id: &str) -> (&'a str, &'a str) {
    let x = f.iter().find(|x| x.resource_id == id).unwrap();
    (x.status.as_str(), x.reason)
}

const TARGET: &str = "t1.dkim.af-south-1.amazonses.com";

#[test]
fn every_reason() {
    let good = obs(
        "t1._domainkey.ok.example",
        "CNAME",
        TARGET,
        Some(("CNAME", "T1.dkim.af-south-1.amazonses.com.")),
        None,
    );
    let f = run(vec![
        domain("ok.example", Some(vec![good.clone()]), None),
        domain(
            "gone.example",
            Some(vec![
                good.clone(),
                obs("t2._domainkey.gone.example", "CNAME", TARGET, None, None),
            ]),
            None,
        ),
        domain(
            "typo.example",
            Some(vec![obs(
                "t1._domainkey.typo.example",
                "CNAME",
                TARGET,
                Some(("CNAME", "t1.dkim.amazonses.com")),
                None,
            )]),
            None,
        ),
        domain(
            "txt.example",
            Some(vec![obs(
                "t1._domainkey.txt.example",
                "CNAME",
                TARGET,
                Some(("TXT", "v=spf1 -all")),
                None,
            )]),
            None,
        ),
        domain(
            "slow.example",
            Some(vec![
                good.clone(),
                obs(
                    "t2._domainkey.slow.example",
                    "CNAME",
                    TARGET,
                    None,
                    Some("TIMEOUT"),
                ),
            ]),
            None,
        ),
        domain(
            "mixed.example",
            Some(vec![
                obs("a", "CNAME", TARGET, None, Some("SERVFAIL")),
                obs("b", "CNAME", TARGET, None, None),
            ]),
            None,
        ),
        domain(
            "byok.example",
            Some(vec![obs(
                "sel._domainkey.byok.example",
                "TXT",
                "p=<public key>",
                Some(("TXT", "v=DKIM1; k=rsa; p=MIIBIjANBg")),
                None,
            )]),
            None,
        ),
        domain(
            "emptykey.example",
            Some(vec![obs(
                "sel._domainkey.emptykey.example",
                "TXT",
                "p=<public key>",
                Some(("TXT", "v=DKIM1; p=")),
                None,
            )]),
            None,
        ),
        domain(
            "replica.example",
            None,
            Some(IdentityDetails {
                origin: Some("AWS_SES_EU_WEST_1".into()),
                ..IdentityDetails::default()
            }),
        ),
        domain("unchecked.example", None, None),
    ]);
    assert_eq!(verdict(&f, "ok.example"), ("PASS", "RECORDS_PUBLISHED"));
    assert_eq!(verdict(&f, "gone.example"), ("FAIL", "RECORD_MISSING"));
    assert_eq!(verdict(&f, "typo.example"), ("FAIL", "RECORD_WRONG_TARGET"));
    assert_eq!(verdict(&f, "txt.example"), ("FAIL", "RECORD_CONFLICT"));
    assert_eq!(verdict(&f, "slow.example"), ("ERROR", "DNS_LOOKUP_FAILED"));
    // A definite missing record is a FAIL even when another lookup failed.
    assert_eq!(verdict(&f, "mixed.example"), ("FAIL", "RECORD_MISSING"));
    assert_eq!(verdict(&f, "byok.example"), ("PASS", "RECORDS_PUBLISHED"));
    assert_eq!(
        verdict(&f, "emptykey.example"),
        ("FAIL", "RECORD_WRONG_TARGET")
    );
    assert_eq!(
        verdict(&f, "replica.example"),
        ("INFO", "REPLICA_INHERITS_DKIM")
    );
    assert_eq!(verdict(&f, "af-south-1"), ("INFO", "DNS_NOT_CHECKED"));
    let typo = f.iter().find(|x| x.resource_id == "typo.example").unwrap();
    assert!(
        typo.message
            .contains("expected CNAME t1.dkim.af-south-1.amazonses.com"),
        "{}",
        typo.message
    );
    let records = typo.evidence.records.as_ref().unwrap();
    assert_eq!(records[0].found, "CNAME t1.dkim.amazonses.com");
    assert_eq!(records[0].state, "wrong_target");
}
