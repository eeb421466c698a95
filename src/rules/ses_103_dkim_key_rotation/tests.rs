//! Every reason of SES-103, with the limit from the settings.

use super::*;
use crate::inventory::{
    AccountInventory, DkimAttributes, DkimStatus, IdentityDetails, RegionInventory, RegionSource,
    RegionState,
};

fn domain(name: &str, origin: &str, generated: Option<&str>) -> Identity {
    Identity {
        dkim: Some(DkimAttributes {
            enabled: true,
            status: DkimStatus::Success,
            tokens: vec!["sel".into()],
        }),
        details: Some(Box::new(IdentityDetails {
            origin: Some(origin.into()),
            last_key_generation: generated.map(str::to_string),
            ..IdentityDetails::default()
        })),
        ..Identity::new(name)
    }
}

fn run(max_key_age_days: u32) -> Vec<Finding> {
    let mut inv = Inventory::new("2026-12-01T00:00:00Z".into());
    inv.accounts.push(AccountInventory {
        account_id: "1".into(),
        partition: "aws".into(),
        region_source: RegionSource::Requested,
        regions: vec![RegionInventory {
            region: "us-east-1".into(),
            state: RegionState::Scanned,
            listing_complete: true,
            errors: vec![],
            identities: vec![
                domain("old.example", "EXTERNAL", Some("2025-06-01T00:00:00Z")),
                domain("new.example", "EXTERNAL", Some("2026-11-01T00:00:00Z")),
                domain("unknown.example", "EXTERNAL", None),
                domain("easy.example", "AWS_SES", Some("2020-01-01T00:00:00Z")),
            ],
        }],
    });
    DkimKeyRotation.evaluate(
        &inv,
        &RuleConfig {
            max_key_age_days,
            ..RuleConfig::default()
        },
    )
}

#[test]
fn every_reason_and_the_configured_limit() {
    let f = run(365);
    let v = |f: &[Finding], id: &str| {
        f.iter()
            .find(|x| x.resource_id == id)
            .map(|x| (x.status.as_str(), x.reason))
    };
    assert_eq!(v(&f, "old.example"), Some(("FAIL", "KEY_TOO_OLD")));
    assert_eq!(v(&f, "new.example"), Some(("PASS", "KEY_RECENT")));
    assert_eq!(v(&f, "unknown.example"), Some(("ERROR", "KEY_AGE_UNKNOWN")));
    assert_eq!(
        v(&f, "easy.example"),
        None,
        "SES rotates Easy DKIM keys itself"
    );
    let old = f.iter().find(|x| x.resource_id == "old.example").unwrap();
    assert_eq!(old.evidence.key_age_days, Some(548));
    assert!(
        old.message.contains("548 days old, over the 365-day limit"),
        "{}",
        old.message
    );
    // A shorter limit from assure.toml catches the newer key too.
    let strict = run(20);
    assert_eq!(v(&strict, "new.example"), Some(("FAIL", "KEY_TOO_OLD")));
}
