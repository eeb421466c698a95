//! Every reason code of SES-001, in both modes.

use super::*;
use crate::findings::ResourceType;
use crate::inventory::RegionSource;

fn dkim(enabled: bool, status: DkimStatus) -> Option<DkimAttributes> {
    let tokens = match status {
        DkimStatus::NotStarted => vec![],
        _ => vec!["t1".into(), "t2".into(), "t3".into()],
    };
    Some(DkimAttributes {
        enabled,
        status,
        tokens,
    })
}

fn ident(name: &str, attrs: Option<DkimAttributes>) -> Identity {
    Identity {
        dkim: attrs,
        ..Identity::new(name)
    }
}

fn failed_read(name: &str, kind: ErrorKind, code: &str) -> Identity {
    Identity {
        error: Some(CollectError {
            action: "ses:GetIdentityDkimAttributes".into(),
            code: code.into(),
            kind,
            message: "boom".into(),
            attempts: 4,
        }),
        ..Identity::new(name)
    }
}

fn region(name: &str, identities: Vec<Identity>) -> RegionInventory {
    RegionInventory {
        region: name.to_string(),
        state: RegionState::Scanned,
        listing_complete: true,
        errors: vec![],
        identities,
    }
}

fn inventory(regions: Vec<RegionInventory>) -> Inventory {
    let mut inv = Inventory::new("2026-01-01T00:00:00Z".into());
    inv.accounts.push(AccountInventory {
        account_id: "111122223333".into(),
        partition: "aws".into(),
        region_source: RegionSource::Requested,
        regions,
    });
    inv
}

fn run(inv: &Inventory, mode: Mode) -> Vec<Finding> {
    DkimEnabled.evaluate(
        inv,
        &RuleConfig {
            mode,
            ..RuleConfig::default()
        },
    )
}

fn verdict<'a>(findings: &'a [Finding], resource: &str) -> (&'a str, &'a str) {
    let f = findings
        .iter()
        .find(|f| f.resource_id == resource)
        .unwrap_or_else(|| panic!("no finding for {resource}"));
    (f.status.as_str(), f.reason)
}

#[test]
fn domain_reasons_in_strict_mode() {
    let inv = inventory(vec![region(
        "us-east-1",
        vec![
            ident("ok.example.com", dkim(true, DkimStatus::Success)),
            ident("off.example.com", dkim(false, DkimStatus::Success)),
            ident("never.example.com", dkim(true, DkimStatus::NotStarted)),
            ident("pending.example.com", dkim(true, DkimStatus::Pending)),
            ident("temp.example.com", dkim(true, DkimStatus::TemporaryFailure)),
            ident("failed.example.com", dkim(true, DkimStatus::Failed)),
            ident("offpending.example.com", dkim(false, DkimStatus::Pending)),
            ident("offnever.example.com", dkim(false, DkimStatus::NotStarted)),
        ],
    )]);
    let f = run(&inv, Mode::Strict);
    assert_eq!(f.len(), 8);
    assert_eq!(verdict(&f, "ok.example.com"), ("PASS", "DKIM_VERIFIED"));
    assert_eq!(verdict(&f, "off.example.com"), ("FAIL", "DKIM_DISABLED"));
    assert_eq!(
        verdict(&f, "never.example.com"),
        ("FAIL", "DKIM_NOT_STARTED")
    );
    assert_eq!(verdict(&f, "pending.example.com"), ("FAIL", "DKIM_PENDING"));
    assert_eq!(
        verdict(&f, "temp.example.com"),
        ("FAIL", "DKIM_TEMPORARY_FAILURE")
    );
    assert_eq!(verdict(&f, "failed.example.com"), ("FAIL", "DKIM_FAILED"));
    // Signing off matters more than a pending check: both must be fixed, and enabling is the step
    // that the records alone would not bring.
    assert_eq!(
        verdict(&f, "offpending.example.com"),
        ("FAIL", "DKIM_DISABLED")
    );
    // Nothing set up at all: that is the root cause, whatever the flag says.
    assert_eq!(
        verdict(&f, "offnever.example.com"),
        ("FAIL", "DKIM_NOT_STARTED")
    );
    let never = f
        .iter()
        .find(|x| x.resource_id == "offnever.example.com")
        .unwrap();
    assert!(never.message.contains("switched off"), "{}", never.message);
}

#[test]
fn conformity_mode_reads_only_the_flag() {
    let inv = inventory(vec![region(
        "us-east-1",
        vec![
            ident("never.example.com", dkim(true, DkimStatus::NotStarted)),
            ident("failed.example.com", dkim(true, DkimStatus::Failed)),
            ident("off.example.com", dkim(false, DkimStatus::Success)),
            ident("a@never.example.com", dkim(true, DkimStatus::NotStarted)),
            ident("b@nowhere.example.org", dkim(false, DkimStatus::NotStarted)),
        ],
    )]);
    let f = run(&inv, Mode::Conformity);
    assert_eq!(
        verdict(&f, "never.example.com"),
        ("PASS", "DKIM_FLAG_ENABLED")
    );
    assert_eq!(
        verdict(&f, "failed.example.com"),
        ("PASS", "DKIM_FLAG_ENABLED")
    );
    assert_eq!(verdict(&f, "off.example.com"), ("FAIL", "DKIM_DISABLED"));
    assert_eq!(
        verdict(&f, "a@never.example.com"),
        ("PASS", "DKIM_FLAG_ENABLED")
    );
    assert_eq!(
        verdict(&f, "b@nowhere.example.org"),
        ("FAIL", "DKIM_DISABLED")
    );
    assert!(f.iter().all(|x| x.evidence.mode == Some("conformity")));
}

#[test]
fn email_reasons_in_strict_mode() {
    let inv = inventory(vec![region(
        "eu-west-1",
        vec![
            ident("example.com", dkim(true, DkimStatus::Success)),
            ident("pending.example.org", dkim(true, DkimStatus::Pending)),
            ident("ok@example.com", dkim(true, DkimStatus::Success)),
            ident("deep@a.b.example.com", dkim(true, DkimStatus::Success)),
            ident("optout@example.com", dkim(false, DkimStatus::Success)),
            ident("lost@example.net", dkim(true, DkimStatus::NotStarted)),
            ident(
                "evil@example.com.evil.org",
                dkim(true, DkimStatus::NotStarted),
            ),
            ident("wait@pending.example.org", dkim(true, DkimStatus::Pending)),
        ],
    )]);
    let f = run(&inv, Mode::Strict);
    assert_eq!(verdict(&f, "ok@example.com"), ("PASS", "SIGNED_BY_DOMAIN"));
    assert_eq!(
        verdict(&f, "deep@a.b.example.com"),
        ("PASS", "SIGNED_BY_DOMAIN")
    );
    assert_eq!(verdict(&f, "optout@example.com"), ("FAIL", "DKIM_DISABLED"));
    assert_eq!(
        verdict(&f, "lost@example.net"),
        ("FAIL", "NO_SIGNING_DOMAIN")
    );
    assert_eq!(
        verdict(&f, "evil@example.com.evil.org"),
        ("FAIL", "NO_SIGNING_DOMAIN")
    );
    assert_eq!(
        verdict(&f, "wait@pending.example.org"),
        ("FAIL", "NO_SIGNING_DOMAIN")
    );

    let deep = f
        .iter()
        .find(|x| x.resource_id == "deep@a.b.example.com")
        .unwrap();
    assert_eq!(deep.evidence.signing_domain.as_deref(), Some("example.com"));
    let lost = f
        .iter()
        .find(|x| x.resource_id == "lost@example.net")
        .unwrap();
    assert!(
        lost.message.contains("no domain identity for example.net"),
        "{}",
        lost.message
    );
    assert_eq!(lost.evidence.signing_domain, None);
    let wait = f
        .iter()
        .find(|x| x.resource_id == "wait@pending.example.org")
        .unwrap();
    assert_eq!(
        wait.evidence.signing_domain.as_deref(),
        Some("pending.example.org")
    );
    assert_eq!(wait.evidence.signing_domain_reason, Some("DKIM_PENDING"));
    assert!(
        wait.message.contains("does not sign (DKIM_PENDING)"),
        "{}",
        wait.message
    );
}

#[test]
fn the_most_specific_covering_domain_decides() {
    let inv = inventory(vec![region(
        "us-east-1",
        vec![
            ident("example.com", dkim(true, DkimStatus::Success)),
            ident("mail.example.com", dkim(true, DkimStatus::Failed)),
            ident("a@mail.example.com", dkim(true, DkimStatus::Failed)),
            ident("b@other.example.com", dkim(true, DkimStatus::Success)),
        ],
    )]);
    let f = run(&inv, Mode::Strict);
    assert_eq!(
        verdict(&f, "a@mail.example.com"),
        ("FAIL", "NO_SIGNING_DOMAIN")
    );
    assert_eq!(
        verdict(&f, "b@other.example.com"),
        ("PASS", "SIGNED_BY_DOMAIN")
    );
}

#[test]
fn names_match_without_regard_to_case() {
    let inv = inventory(vec![region(
        "us-east-1",
        vec![
            ident("Example.COM", dkim(true, DkimStatus::Success)),
            ident("Someone@EXAMPLE.com", dkim(true, DkimStatus::Success)),
        ],
    )]);
    let f = run(&inv, Mode::Strict);
    let (status, reason) = verdict(&f, "Someone@EXAMPLE.com");
    assert_eq!((status, reason), ("PASS", "SIGNED_BY_DOMAIN"));
}

#[test]
fn a_domain_in_another_region_does_not_cover() {
    let inv = inventory(vec![
        region(
            "us-east-1",
            vec![ident("example.com", dkim(true, DkimStatus::Success))],
        ),
        region(
            "eu-west-1",
            vec![ident("a@example.com", dkim(true, DkimStatus::Success))],
        ),
    ]);
    let f = run(&inv, Mode::Strict);
    assert_eq!(verdict(&f, "a@example.com"), ("FAIL", "NO_SIGNING_DOMAIN"));
}

#[test]
fn unreadable_attributes_are_errors_not_verdicts() {
    let inv = inventory(vec![region(
        "us-east-1",
        vec![
            failed_read("slow.example.com", ErrorKind::Throttled, "Throttling"),
            failed_read(
                "denied.example.com",
                ErrorKind::AccessDenied,
                "AccessDenied",
            ),
            failed_read("t@x.example.com", ErrorKind::Timeout, "Timeout"),
            failed_read("n.example.com", ErrorKind::Network, "NetworkError"),
            failed_read(
                "m.example.com",
                ErrorKind::MalformedResponse,
                "MalformedResponse",
            ),
            failed_read(
                "s.example.com",
                ErrorKind::ServiceError,
                "ServiceUnavailable",
            ),
            ident("a@slow.example.com", dkim(true, DkimStatus::Success)),
            ident("ok.example.com", dkim(true, DkimStatus::Success)),
        ],
    )]);
    for mode in [Mode::Strict, Mode::Conformity] {
        let f = run(&inv, mode);
        assert_eq!(verdict(&f, "slow.example.com"), ("ERROR", "THROTTLED"));
        assert_eq!(
            verdict(&f, "denied.example.com"),
            ("ERROR", "ACCESS_DENIED")
        );
        assert_eq!(verdict(&f, "t@x.example.com"), ("ERROR", "TIMEOUT"));
        assert_eq!(verdict(&f, "n.example.com"), ("ERROR", "NETWORK_ERROR"));
        assert_eq!(
            verdict(&f, "m.example.com"),
            ("ERROR", "MALFORMED_RESPONSE")
        );
        assert_eq!(verdict(&f, "s.example.com"), ("ERROR", "API_ERROR"));
        // The others are still judged.
        assert_eq!(verdict(&f, "ok.example.com").0, "PASS");
        let slow = f
            .iter()
            .find(|x| x.resource_id == "slow.example.com")
            .unwrap();
        assert_eq!(slow.evidence.error_code.as_deref(), Some("Throttling"));
        assert_eq!(slow.evidence.attempts, Some(4));
    }
    let strict = run(&inv, Mode::Strict);
    assert_eq!(
        verdict(&strict, "a@slow.example.com"),
        ("ERROR", "SIGNING_DOMAIN_UNREADABLE")
    );
}

#[test]
fn region_states_become_info_and_error() {
    let err = |kind, code: &str| CollectError {
        action: "ses:ListIdentities".into(),
        code: code.into(),
        kind,
        message: "m".into(),
        attempts: 1,
    };
    let mut off = region("af-south-1", vec![]);
    off.state = RegionState::NotEnabled;
    off.errors.push(err(
        ErrorKind::RegionNotEnabled,
        "UnrecognizedClientException",
    ));
    let mut denied = region("eu-west-2", vec![]);
    denied.state = RegionState::Error;
    denied
        .errors
        .push(err(ErrorKind::AccessDenied, "AccessDenied"));
    let mut partial = region(
        "us-west-2",
        vec![
            ident("seen.example.com", dkim(true, DkimStatus::Success)),
            ident("x@unlisted.example.com", dkim(true, DkimStatus::Success)),
            ident("y@seen.example.com", dkim(true, DkimStatus::Success)),
            ident("z@mail.seen.example.com", dkim(true, DkimStatus::Success)),
        ],
    );
    partial.listing_complete = false;
    partial.errors.push(err(ErrorKind::Throttled, "Throttling"));
    let empty = region("ca-central-1", vec![]);

    let f = run(&inventory(vec![off, denied, partial, empty]), Mode::Strict);
    assert_eq!(verdict(&f, "af-south-1"), ("INFO", "REGION_NOT_ENABLED"));
    assert_eq!(verdict(&f, "eu-west-2"), ("ERROR", "ACCESS_DENIED"));
    assert_eq!(verdict(&f, "us-west-2"), ("ERROR", "THROTTLED"));
    assert_eq!(verdict(&f, "seen.example.com"), ("PASS", "DKIM_VERIFIED"));
    // Absence of a covering domain proves nothing when the listing stopped early.
    assert_eq!(
        verdict(&f, "x@unlisted.example.com"),
        ("ERROR", "LISTING_INCOMPLETE")
    );
    // The address's own domain was listed: nothing more specific can exist.
    assert_eq!(
        verdict(&f, "y@seen.example.com"),
        ("PASS", "SIGNED_BY_DOMAIN")
    );
    // Only a parent was listed: an unlisted mail.seen.example.com would take precedence.
    assert_eq!(
        verdict(&f, "z@mail.seen.example.com"),
        ("ERROR", "LISTING_INCOMPLETE")
    );
    assert!(f.iter().all(|x| x.region != "ca-central-1"));
    let region_finding = f.iter().find(|x| x.resource_id == "eu-west-2").unwrap();
    assert_eq!(region_finding.resource_type, ResourceType::Region);
    assert_eq!(
        region_finding.resource_arn,
        "arn:aws:ses:eu-west-2:111122223333:identity/*"
    );
}

#[test]
fn findings_carry_the_contract_fields() {
    let inv = inventory(vec![region(
        "ap-southeast-2",
        vec![ident("example.com", dkim(false, DkimStatus::Success))],
    )]);
    let f = run(&inv, Mode::Strict);
    let x = &f[0];
    assert_eq!(x.rule_id, "SES-001");
    assert_eq!(x.risk, Risk::Low);
    assert_eq!(x.account_id, "111122223333");
    assert_eq!(x.region, "ap-southeast-2");
    assert_eq!(x.resource_type, ResourceType::Domain);
    assert_eq!(
        x.resource_arn,
        "arn:aws:ses:ap-southeast-2:111122223333:identity/example.com"
    );
    assert_eq!(x.evidence.dkim_enabled, Some(false));
    assert_eq!(x.evidence.dkim_status, Some("Success"));
    assert_eq!(x.evidence.dkim_tokens, Some(3));
}

#[test]
fn pending_domains_cite_the_dns_cause() {
    use crate::inventory::{DnsObservation, IdentityDetails};
    let mut pending = ident("pending.example.com", dkim(true, DkimStatus::Pending));
    pending.dns = Some(vec![DnsObservation {
        name: "t1._domainkey.pending.example.com".into(),
        expected_type: "CNAME".into(),
        expected: "t1.dkim.amazonses.com".into(),
        found_type: None,
        found: vec![],
        error: None,
    }]);
    pending.details = Some(Box::new(IdentityDetails {
        verification_error: Some("TYPE_NOT_FOUND".into()),
        ..IdentityDetails::default()
    }));
    let f = run(
        &inventory(vec![region("us-east-1", vec![pending])]),
        Mode::Strict,
    );
    let x = &f[0];
    assert_eq!(x.reason, "DKIM_PENDING");
    assert!(
        x.message
            .contains("DNS: t1._domainkey.pending.example.com missing"),
        "{}",
        x.message
    );
    assert!(
        x.message.contains("SES reports TYPE_NOT_FOUND"),
        "{}",
        x.message
    );
    assert_eq!(
        x.evidence.verification_error.as_deref(),
        Some("TYPE_NOT_FOUND")
    );
}

#[test]
fn a_replica_takes_its_verdict_from_the_parent_region() {
    use crate::inventory::IdentityDetails;
    let replica = |name: &str| Identity {
        details: Some(Box::new(IdentityDetails {
            origin: Some("AWS_SES_EU_WEST_1".into()),
            ..IdentityDetails::default()
        })),
        ..ident(name, dkim(true, DkimStatus::Success))
    };
    let inv = inventory(vec![
        region(
            "eu-west-1",
            vec![ident("example.com", dkim(true, DkimStatus::Pending))],
        ),
        region(
            "eu-central-1",
            vec![replica("example.com"), replica("orphan.example.org")],
        ),
    ]);
    let f = run(&inv, Mode::Strict);
    let r = f
        .iter()
        .find(|x| x.region == "eu-central-1" && x.resource_id == "example.com")
        .unwrap();
    assert_eq!((r.status.as_str(), r.reason), ("FAIL", "DKIM_PENDING"));
    assert!(
        r.message
            .starts_with("replica of the identity in eu-west-1"),
        "{}",
        r.message
    );
    assert_eq!(
        r.resource_arn,
        "arn:aws:ses:eu-central-1:111122223333:identity/example.com"
    );
    assert_eq!(r.evidence.replica_of.as_deref(), Some("eu-west-1"));
    let o = f
        .iter()
        .find(|x| x.resource_id == "orphan.example.org")
        .unwrap();
    assert_eq!(o.status.as_str(), "PASS");
    assert!(o.message.contains("not scanned"), "{}", o.message);
}
