//! Every reason of SES-102.

use super::*;
use crate::inventory::{
    AccountInventory, CollectError, DkimAttributes, DkimStatus, ErrorKind, IdentityDetails,
    RegionInventory, RegionSource, RegionState,
};

fn domain(name: &str, length: Option<&str>, origin: &str) -> Identity {
    Identity {
        dkim: Some(DkimAttributes {
            enabled: true,
            status: DkimStatus::Success,
            tokens: vec![],
        }),
        details: Some(Box::new(IdentityDetails {
            origin: Some(origin.into()),
            current_key_length: length.map(str::to_string),
            ..IdentityDetails::default()
        })),
        ..Identity::new(name)
    }
}

fn run(identities: Vec<Identity>) -> Vec<Finding> {
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
            identities,
        }],
    });
    DkimKeyLength.evaluate(&inv, &RuleConfig::default())
}

#[test]
fn every_reason() {
    let mut unread = domain("unread.example", None, "AWS_SES");
    unread.details = None;
    unread.details_error = Some(Box::new(CollectError {
        action: "sesv2:GetEmailIdentity".into(),
        code: "TooManyRequestsException".into(),
        kind: ErrorKind::Throttled,
        message: "slow down".into(),
        attempts: 7,
    }));
    let mut uncollected = domain("bare.example", None, "AWS_SES");
    uncollected.details = None;
    let f = run(vec![
        domain("weak.example", Some("RSA_1024_BIT"), "AWS_SES"),
        domain("strong.example", Some("RSA_2048_BIT"), "AWS_SES"),
        domain("byok.example", None, "EXTERNAL"),
        unread,
        uncollected,
        Identity::new("someone@weak.example"),
    ]);
    let v = |id: &str| {
        f.iter()
            .find(|x| x.resource_id == id)
            .map(|x| (x.status.as_str(), x.reason))
    };
    assert_eq!(v("weak.example"), Some(("FAIL", "KEY_1024_BIT")));
    assert_eq!(v("strong.example"), Some(("PASS", "KEY_2048_BIT")));
    assert_eq!(
        v("byok.example"),
        None,
        "the customer's own key: no verdict"
    );
    assert_eq!(v("unread.example"), Some(("ERROR", "THROTTLED")));
    assert_eq!(v("us-east-1"), Some(("INFO", "DETAILS_NOT_COLLECTED")));
    assert_eq!(
        v("someone@weak.example"),
        None,
        "addresses have no key of their own"
    );
    let weak = f.iter().find(|x| x.resource_id == "weak.example").unwrap();
    assert_eq!(weak.risk, Risk::Medium);
    assert_eq!(weak.evidence.key_length.as_deref(), Some("RSA_1024_BIT"));
}
