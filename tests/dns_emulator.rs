//! SES-101, SES-102 and SES-103 end to end: SES and SESv2 on the emulator, DKIM records served by
//! a real DNS server on loopback with correct, missing, wrong-target, conflicting, regional,
//! SERVFAIL and silent answers.

mod common;

use common::dns_server::{Answer, DnsServer};
use common::*;
use serde_json::{Value, json};
use std::collections::HashMap;

fn rule_finding<'a>(report: &'a Value, rule: &str, region: &str, resource: &str) -> &'a Value {
    findings(report)
        .iter()
        .find(|f| f["rule_id"] == rule && f["region"] == region && f["resource_id"] == resource)
        .unwrap_or_else(|| panic!("no {rule} finding for {resource} in {region}"))
}

fn verdict(report: &Value, rule: &str, region: &str, resource: &str) -> (String, String) {
    let f = rule_finding(report, rule, region, resource);
    (
        f["status"].as_str().unwrap().into(),
        f["reason"].as_str().unwrap().into(),
    )
}

fn v(status: &str, reason: &str) -> (String, String) {
    (status.into(), reason.into())
}

#[test]
fn dns_records_key_length_and_key_age_are_judged_from_dns_and_sesv2() {
    let emu = Emulator::start();
    let dns = DnsServer::start();
    let domains_us = [
        "ok.example.com",
        "gone.example.com",
        "typo.example.com",
        "txt.example.com",
        "broken.example.com",
        "slow.example.com",
        "weak.example.com",
        "byok.example.com",
        "zoned.example.com",
        "pending.example.com",
    ];
    let mut items: Vec<Value> = domains_us
        .iter()
        .map(|d| json!({ "region": "us-east-1", "identity": d, "easy_dkim": true, "dkim_enabled": true, "dkim_status": "Success" }))
        .collect();
    items.push(json!({ "region": "eu-west-1", "identity": "ok.example.com", "easy_dkim": true, "dkim_enabled": true, "dkim_status": "Success" }));
    items.push(json!({ "region": "af-south-1", "identity": "regional.example.org", "easy_dkim": true, "dkim_enabled": true, "dkim_status": "Success" }));
    emu.put_identities(json!(items));
    let two_years_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 800 * 86_400;
    emu.force(json!([
        { "region": "us-east-1", "identity": "weak.example.com", "current_key_length": "RSA_1024_BIT" },
        { "region": "us-east-1", "identity": "byok.example.com", "origin": "EXTERNAL", "tokens": ["sel1"], "key_generated_at": two_years_ago },
        { "region": "us-east-1", "identity": "zoned.example.com", "signing_hosted_zone": "dkim.custom-zone.example" },
        { "region": "us-east-1", "identity": "pending.example.com", "dkim_status": "Pending" },
        { "region": "eu-west-1", "identity": "ok.example.com", "origin": "AWS_SES_US_EAST_1" }
    ]));

    // Read the tokens SES made, to publish (or break) their records.
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("tokens.json");
    let out = emu.assure(&[
        "collect",
        "--region",
        "us-east-1,eu-west-1,af-south-1",
        "--rate",
        "50",
        "-o",
        snap.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inventory: Value = serde_json::from_str(&read(&snap)).unwrap();
    let mut tokens: HashMap<(String, String), Vec<String>> = HashMap::new();
    for region in inventory["accounts"][0]["regions"].as_array().unwrap() {
        for i in region["identities"].as_array().unwrap() {
            let t = i["dkim"]["tokens"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect();
            tokens.insert(
                (
                    region["region"].as_str().unwrap().into(),
                    i["name"].as_str().unwrap().into(),
                ),
                t,
            );
        }
    }
    let publish = |region: &str, domain: &str, zone: &str, skip: usize| {
        for (n, t) in tokens[&(region.to_string(), domain.to_string())]
            .iter()
            .enumerate()
        {
            if n != skip {
                dns.set(
                    &format!("{t}._domainkey.{domain}"),
                    Answer::Cname(format!("{t}.{zone}")),
                );
            }
        }
    };
    let us = |d: &str| tokens[&("us-east-1".to_string(), d.to_string())].clone();
    publish("us-east-1", "ok.example.com", "dkim.amazonses.com", 99);
    publish("us-east-1", "gone.example.com", "dkim.amazonses.com", 1);
    publish("us-east-1", "typo.example.com", "dkim.amazonses.com", 0);
    dns.set(
        &format!("{}._domainkey.typo.example.com", us("typo.example.com")[0]),
        Answer::Cname(format!(
            "{}.dkim.eu-south-1.amazonses.com",
            us("typo.example.com")[0]
        )),
    );
    publish("us-east-1", "txt.example.com", "dkim.amazonses.com", 2);
    dns.set(
        &format!("{}._domainkey.txt.example.com", us("txt.example.com")[2]),
        Answer::Txt("v=spf1 -all".into()),
    );
    for t in us("broken.example.com") {
        dns.set(
            &format!("{t}._domainkey.broken.example.com"),
            Answer::ServFail,
        );
    }
    publish("us-east-1", "slow.example.com", "dkim.amazonses.com", 0);
    dns.set(
        &format!("{}._domainkey.slow.example.com", us("slow.example.com")[0]),
        Answer::Silence,
    );
    publish("us-east-1", "weak.example.com", "dkim.amazonses.com", 99);
    dns.set(
        "sel1._domainkey.byok.example.com",
        Answer::Txt("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A".into()),
    );
    publish(
        "us-east-1",
        "zoned.example.com",
        "dkim.custom-zone.example",
        99,
    );
    publish("us-east-1", "pending.example.com", "dkim.amazonses.com", 0);
    publish(
        "af-south-1",
        "regional.example.org",
        "dkim.af-south-1.amazonses.com",
        99,
    );

    let resolver = dns.addr.to_string();
    let (code, report) = emu.scan_json(&[
        "--region",
        "us-east-1,eu-west-1,af-south-1",
        "--rate",
        "50",
        "--resolver",
        &resolver,
        "--rule",
        "SES-001",
        "--rule",
        "SES-101",
        "--rule",
        "SES-102",
        "--rule",
        "SES-103",
    ]);
    assert_eq!(code, 3);
    let r101 = |region: &str, d: &str| verdict(&report, "SES-101", region, d);
    assert_eq!(
        r101("us-east-1", "ok.example.com"),
        v("PASS", "RECORDS_PUBLISHED")
    );
    assert_eq!(
        r101("us-east-1", "gone.example.com"),
        v("FAIL", "RECORD_MISSING")
    );
    assert_eq!(
        r101("us-east-1", "typo.example.com"),
        v("FAIL", "RECORD_WRONG_TARGET")
    );
    assert_eq!(
        r101("us-east-1", "txt.example.com"),
        v("FAIL", "RECORD_CONFLICT")
    );
    assert_eq!(
        r101("us-east-1", "broken.example.com"),
        v("ERROR", "DNS_LOOKUP_FAILED")
    );
    assert_eq!(
        r101("us-east-1", "slow.example.com"),
        v("ERROR", "DNS_LOOKUP_FAILED")
    );
    assert_eq!(
        r101("us-east-1", "byok.example.com"),
        v("PASS", "RECORDS_PUBLISHED")
    );
    assert_eq!(
        r101("us-east-1", "zoned.example.com"),
        v("PASS", "RECORDS_PUBLISHED")
    );
    assert_eq!(
        r101("af-south-1", "regional.example.org"),
        v("PASS", "RECORDS_PUBLISHED")
    );
    assert_eq!(
        r101("eu-west-1", "ok.example.com"),
        v("INFO", "REPLICA_INHERITS_DKIM")
    );
    let typo = rule_finding(&report, "SES-101", "us-east-1", "typo.example.com");
    assert!(
        typo["message"]
            .as_str()
            .unwrap()
            .contains("dkim.eu-south-1.amazonses.com"),
        "{typo}"
    );
    let broken = rule_finding(&report, "SES-101", "us-east-1", "broken.example.com");
    assert!(
        broken["message"].as_str().unwrap().contains("SERVFAIL"),
        "{broken}"
    );
    let slow = rule_finding(&report, "SES-101", "us-east-1", "slow.example.com");
    assert!(
        slow["message"].as_str().unwrap().contains("TIMEOUT"),
        "{slow}"
    );

    assert_eq!(
        verdict(&report, "SES-102", "us-east-1", "weak.example.com"),
        v("FAIL", "KEY_1024_BIT")
    );
    assert_eq!(
        verdict(&report, "SES-102", "us-east-1", "ok.example.com"),
        v("PASS", "KEY_2048_BIT")
    );
    assert_eq!(
        verdict(&report, "SES-103", "us-east-1", "byok.example.com"),
        v("FAIL", "KEY_TOO_OLD")
    );
    let old = rule_finding(&report, "SES-103", "us-east-1", "byok.example.com");
    assert_eq!(old["evidence"]["key_age_days"], 800);

    // SES-001 judges the replica by its parent, and says why a pending domain is pending.
    let replica = rule_finding(&report, "SES-001", "eu-west-1", "ok.example.com");
    assert_eq!(
        (
            replica["status"].as_str().unwrap(),
            replica["reason"].as_str().unwrap()
        ),
        ("PASS", "DKIM_VERIFIED")
    );
    assert!(
        replica["message"]
            .as_str()
            .unwrap()
            .starts_with("replica of the identity in us-east-1")
    );
    let pending = rule_finding(&report, "SES-001", "us-east-1", "pending.example.com");
    assert_eq!(pending["reason"], "DKIM_PENDING");
    assert!(
        pending["message"].as_str().unwrap().contains("missing"),
        "{pending}"
    );

    // SESv2 costs one request per domain; SES-001 and SES-101 alone cost none.
    assert_eq!(calls(&report, "sesv2:GetEmailIdentity"), 12);
    let (_, cheap) = emu.scan_json(&[
        "--region",
        "us-east-1,eu-west-1,af-south-1",
        "--rate",
        "50",
        "--resolver",
        &resolver,
        "--rule",
        "SES-001",
        "--rule",
        "SES-101",
    ]);
    assert_eq!(calls(&cheap, "sesv2:GetEmailIdentity"), 0);
    assert_eq!(calls(&cheap, "ses:GetIdentityDkimAttributes"), 3);
    assert_eq!(
        verdict(&cheap, "SES-101", "us-east-1", "gone.example.com"),
        v("FAIL", "RECORD_MISSING")
    );

    // DNS answers go into the snapshot: the offline scan gives the same SES-101 verdicts.
    let with_dns = dir.path().join("with-dns.json");
    let out = emu.assure(&[
        "collect",
        "--region",
        "us-east-1,eu-west-1,af-south-1",
        "--rate",
        "50",
        "--resolver",
        &resolver,
        "-o",
        with_dns.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let offline = assure_cmd()
        .args([
            "scan",
            "--snapshot",
            with_dns.to_str().unwrap(),
            "--format",
            "json",
            "--rule",
            "SES-101",
        ])
        .output()
        .unwrap();
    let offline: Value = serde_json::from_slice(&offline.stdout).unwrap();
    let live_101: Vec<&Value> = findings(&report)
        .iter()
        .filter(|f| f["rule_id"] == "SES-101")
        .collect();
    let offline_101: Vec<&Value> = findings(&offline).iter().collect();
    assert!(live_101 == offline_101, "SES-101 differs offline");
}
