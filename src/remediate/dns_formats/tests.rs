//! Golden tests for every DNS format, on a plan with a regional DKIM target (af-south-1), a
//! bring-your-own-key identity and a domain whose tokens do not exist yet. Set UPDATE_GOLDEN=1 to
//! rewrite the expected files after a deliberate change, and review the diff.

use super::*;
use crate::dkim_records as dns;
use crate::inventory::{DkimAttributes, DkimStatus, IdentityKind};
use crate::remediate::plan::{PLAN_VERSION, PlanItem};
use std::path::PathBuf;

fn tokens(prefix: &str) -> Vec<String> {
    (1..=3)
        .map(|i| format!("{prefix}{i}abcdefghijklmnopqrstuvwxyz"))
        .collect()
}

fn sample_plan() -> Plan {
    let item = |region: &str, identity: &str, reason: &str, steps: Vec<Step>| PlanItem {
        region: region.into(),
        identity: identity.into(),
        kind: IdentityKind::Domain,
        reason: reason.into(),
        before: Some(DkimAttributes {
            enabled: false,
            status: DkimStatus::Success,
            tokens: vec![],
        }),
        steps,
        notes: vec![],
    };
    let publish =
        |domain: &str, records: Vec<DnsRecord>, zone: Option<HostedZone>| Step::PublishRecords {
            domain: domain.into(),
            records,
            from_new_tokens: false,
            hosted_zone: zone,
        };
    Plan {
        plan_version: PLAN_VERSION,
        generator: "test".into(),
        created_at: "2026-12-01T00:00:00Z".into(),
        rule_id: "SES-001".into(),
        account_id: "111122223333".into(),
        partition: "aws".into(),
        dns_provider: None,
        items: vec![
            item(
                "us-east-1",
                "example.com",
                "DKIM_DISABLED",
                vec![publish(
                    "example.com",
                    dns::easy_dkim_records("example.com", "us-east-1", &tokens("use")),
                    Some(HostedZone {
                        id: "Z0EXAMPLE123".into(),
                        name: "example.com".into(),
                    }),
                )],
            ),
            item(
                "af-south-1",
                "Mail.Example.ORG",
                "DKIM_PENDING",
                vec![publish(
                    "mail.example.org",
                    dns::easy_dkim_records("Mail.Example.ORG", "af-south-1", &tokens("afs")),
                    None,
                )],
            ),
            item(
                "eu-west-1",
                "byok.example.net",
                "DKIM_DISABLED",
                vec![publish(
                    "byok.example.net",
                    vec![dns::byok_record("byok.example.net", "sel2026")],
                    None,
                )],
            ),
            item(
                "eu-west-1",
                "new.example.net",
                "DKIM_NOT_STARTED",
                vec![Step::PublishRecords {
                    domain: "new.example.net".into(),
                    records: vec![],
                    from_new_tokens: true,
                    hosted_zone: None,
                }],
            ),
        ],
        not_planned: vec![],
    }
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/remediate/dns_formats/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {}", path.display()));
    assert_eq!(actual, expected, "output differs from {}", path.display());
}

#[test]
fn table_matches_golden() {
    golden("table.txt", &render(&sample_plan(), DnsFormat::Table));
}

#[test]
fn zone_matches_golden_and_loads_in_a_zone_parser() {
    let text = render(&sample_plan(), DnsFormat::Zone);
    golden("zone.txt", &text);
    let origin = hickory_proto::rr::Name::from_ascii("example.").unwrap();
    let (_, records) =
        hickory_proto::serialize::txt::Parser::new(text.as_str(), None, Some(origin))
            .parse()
            .unwrap_or_else(|e| panic!("zone fragment does not parse: {e}\n{text}"));
    // 3 + 3 CNAME sets and one TXT set.
    assert_eq!(records.len(), 7);
    let regional = records
        .values()
        .flat_map(|set| set.records_without_rrsigs())
        .find(|r| r.name.to_ascii().starts_with("afs1"))
        .unwrap();
    assert_eq!(
        regional.data.to_string(),
        "afs1abcdefghijklmnopqrstuvwxyz.dkim.af-south-1.amazonses.com."
    );
    let txt = records
        .values()
        .flat_map(|set| set.records_without_rrsigs())
        .find(|r| r.record_type() == hickory_proto::rr::RecordType::TXT)
        .unwrap();
    assert_eq!(txt.name.to_ascii(), "sel2026._domainkey.byok.example.net.");
}

#[test]
fn route53_matches_golden_and_is_a_change_batch_per_domain() {
    let text = render(&sample_plan(), DnsFormat::Route53);
    golden("route53.json", &text);
    let batches: serde_json::Value = serde_json::from_str(&text).unwrap();
    let com = &batches["example.com"]["Changes"];
    assert_eq!(com.as_array().unwrap().len(), 3);
    assert_eq!(com[0]["Action"], "UPSERT");
    assert_eq!(com[0]["ResourceRecordSet"]["Type"], "CNAME");
    let txt = &batches["byok.example.net"]["Changes"][0]["ResourceRecordSet"];
    assert_eq!(txt["Type"], "TXT");
    assert!(
        txt["ResourceRecords"][0]["Value"]
            .as_str()
            .unwrap()
            .starts_with("\"v=DKIM1")
    );
    assert!(
        batches.get("new.example.net").is_none(),
        "no invented records"
    );
}

#[test]
fn terraform_matches_golden() {
    let text = render(&sample_plan(), DnsFormat::Terraform);
    golden("terraform.tf", &text);
    assert!(text.contains("zone_id = \"Z0EXAMPLE123\""));
    assert!(text.contains("data \"aws_route53_zone\" \"mail_example_org\""));
}

#[test]
fn long_txt_values_are_split_into_255_byte_strings() {
    let chunks = txt_chunks(&"a".repeat(600));
    assert_eq!(
        chunks.iter().map(String::len).collect::<Vec<_>>(),
        [255, 255, 90]
    );
}
