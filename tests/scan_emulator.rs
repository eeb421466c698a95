//! `assure scan` and `assure collect` against the SES emulator on loopback.

mod common;

use common::*;
use serde_json::{Value, json};

/// The strict verdict the seed's ground truth implies for one identity.
fn expected_strict(item: &Value) -> (&'static str, &'static str) {
    let success = item["dkim_status"] == "Success";
    match item["kind"].as_str().unwrap() {
        "domain_dkim_v1" | "domain_dkim_v2" if success => ("PASS", "DKIM_VERIFIED"),
        "domain_dkim_v1" | "domain_dkim_v2" => ("FAIL", "DKIM_PENDING"),
        "domain_nodkim" => ("FAIL", "DKIM_NOT_STARTED"),
        "domain_dkim_off_v1" | "domain_dkim_off_v2" => ("FAIL", "DKIM_DISABLED"),
        "email_inherit" if success => ("PASS", "SIGNED_BY_DOMAIN"),
        "email_inherit" => ("FAIL", "NO_SIGNING_DOMAIN"),
        // The emulator reports an address's flag as off when it is opted out or has no domain.
        "email_orphan" | "email_optout" => ("FAIL", "DKIM_DISABLED"),
        other => panic!("unknown seed kind {other}"),
    }
}

fn truth_items(truth: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (region, items) in truth["identities"].as_object().unwrap() {
        for item in items.as_array().unwrap() {
            out.push((region.clone(), item.clone()));
        }
    }
    out
}

/// Minimum SES requests for a region of n identities.
fn minimal_calls(n: u64) -> (u64, u64) {
    (n.div_ceil(1000).max(1), n.div_ceil(100))
}

#[test]
fn seed_mix_over_three_regions_matches_the_ground_truth_in_both_modes() {
    let emu = Emulator::start();
    let regions = "us-east-1,eu-west-1,ap-southeast-2";
    let truth = emu.seed(300, regions, &["--pending-ratio", "0.2"]);
    let items = truth_items(&truth);
    assert_eq!(items.len(), 300);

    let (code, strict) = emu.scan_json(&["--region", regions, "--rate", "50"]);
    assert_eq!(code, 3, "failures present: exit code 3");
    assert_eq!(findings(&strict).len(), 300);
    let mut kinds = std::collections::BTreeSet::new();
    for (region, item) in &items {
        let name = item["name"].as_str().unwrap();
        let f = finding(&strict, name);
        assert_eq!(f["region"], region.as_str());
        let (status, reason) = expected_strict(item);
        assert_eq!(
            (f["status"].as_str().unwrap(), f["reason"].as_str().unwrap()),
            (status, reason),
            "{name}: {f}"
        );
        let kind = if name.contains('@') {
            "email"
        } else {
            "domain"
        };
        assert_eq!(f["resource_type"], kind);
        assert_eq!(
            f["resource_arn"],
            format!("arn:aws:ses:{region}:123456789012:identity/{name}")
        );
        kinds.insert(item["kind"].as_str().unwrap().to_string());
    }
    assert!(
        kinds.len() >= 7,
        "the mix covers the seed's kinds: {kinds:?}"
    );
    assert_eq!(count(&strict, "ERROR"), 0);

    // Exactly the minimal number of requests: one list page and one DKIM batch per 100.
    for region in regions.split(',') {
        let n = strict["summary"]["by_region"][region]["identities"]
            .as_u64()
            .unwrap();
        assert_eq!(n, 100);
    }
    let (lists, batches) = minimal_calls(100);
    assert_eq!(calls(&strict, "ses:ListIdentities"), 3 * lists);
    assert_eq!(calls(&strict, "ses:GetIdentityDkimAttributes"), 3 * batches);
    assert_eq!(calls(&strict, "sts:GetCallerIdentity"), 1);

    let (_, conformity) =
        emu.scan_json(&["--region", regions, "--rate", "50", "--mode", "conformity"]);
    for (_, item) in &items {
        let f = finding(&conformity, item["name"].as_str().unwrap());
        let expected = if item["dkim_enabled"] == true {
            "PASS"
        } else {
            "FAIL"
        };
        assert_eq!(f["status"], expected, "{f}");
    }
    let ground_fail: u64 = truth["regions"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["fail"].as_u64().unwrap())
        .sum();
    assert_eq!(count(&conformity, "FAIL"), ground_fail);
    // Strict mode finds what conformity mode misses: pending domains and their addresses.
    assert!(count(&strict, "FAIL") > count(&conformity, "FAIL"));
}

#[test]
fn every_page_is_read_when_a_region_holds_more_than_1000_identities() {
    let emu = Emulator::start();
    let truth = emu.seed(1234, "us-east-1", &[]);
    emu.reset_stats();
    let (_, report) = emu.scan_json(&["--region", "us-east-1", "--rate", "100"]);
    assert_eq!(findings(&report).len(), 1234);
    for (_, item) in truth_items(&truth) {
        finding(&report, item["name"].as_str().unwrap());
    }
    assert_eq!(calls(&report, "ses:ListIdentities"), 2);
    assert_eq!(calls(&report, "ses:GetIdentityDkimAttributes"), 13);
    // The emulator counted the same requests we did.
    let stats = emu.stats();
    assert_eq!(stats["by_action"]["ses:ListIdentities"], 2);
    assert_eq!(stats["by_action"]["ses:GetIdentityDkimAttributes"], 13);

    // The second page fails for good: the first 1000 are still judged, and the region says it
    // was only partly read.
    emu.faults(
        json!([{ "service": "ses", "action": "ListIdentities", "every": 2,
        "error": { "status": 503, "code": "ServiceUnavailable" } }]),
    );
    let (code, partial) = emu.scan_json(&[
        "--region",
        "us-east-1",
        "--rate",
        "100",
        "--retry-deadline",
        "0",
    ]);
    let region = finding(&partial, "us-east-1");
    assert_eq!(region["status"], "ERROR");
    assert_eq!(region["resource_type"], "region");
    assert!(
        region["message"].as_str().unwrap().contains("1000 read"),
        "{region}"
    );
    let judged = findings(&partial)
        .iter()
        .filter(|f| f["resource_type"] != "region" && f["status"] != "ERROR")
        .count();
    let incomplete = findings(&partial)
        .iter()
        .filter(|f| f["reason"] == "LISTING_INCOMPLETE")
        .count();
    assert_eq!(findings(&partial).len(), 1 + 1000);
    assert_eq!(judged + incomplete, 1000);
    assert_eq!(code, 3);
}

#[test]
fn throttling_at_one_request_per_second_loses_nothing() {
    let emu = Emulator::start();
    let truth = emu.seed(400, "us-east-1,eu-west-1", &[]);
    // SES's real limit, enforced by the emulator; we send twice as fast to provoke throttles.
    emu.faults(json!([{ "service": "ses", "action": "*", "rps": 1 }]));
    let (code, report) = emu.scan_json(&["--region", "us-east-1,eu-west-1", "--rate", "2"]);
    assert_eq!(code, 3);
    assert_eq!(count(&report, "ERROR"), 0, "{:?}", report["summary"]);
    assert_eq!(findings(&report).len(), 400);
    for (_, item) in truth_items(&truth) {
        let f = finding(&report, item["name"].as_str().unwrap());
        assert_eq!(f["status"], expected_strict(&item).0);
    }
    let throttled = report["summary"]["throttled"].as_u64().unwrap();
    assert!(throttled > 0, "the test must provoke throttles");
    let stats = emu.stats();
    let emulator_throttled: u64 = stats["throttled"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(emulator_throttled, throttled);
    // Every request, retries included, is counted.
    let sent =
        calls(&report, "ses:ListIdentities") + calls(&report, "ses:GetIdentityDkimAttributes");
    assert_eq!(sent, 2 * (1 + 2) + throttled);
}

#[test]
fn server_errors_past_the_deadline_become_errors_for_exactly_the_batch_they_touched() {
    let emu = Emulator::start();
    emu.seed(250, "us-east-1,eu-west-1", &[]);
    // The first DKIM batch in us-east-1 fails with 503; no time for retries.
    emu.faults(json!([{
        "service": "ses", "action": "GetIdentityDkimAttributes", "region": "us-east-1",
        "first": 1, "error": { "status": 503, "code": "ServiceUnavailable", "message": "try later" }
    }]));
    let (code, report) = emu.scan_json(&[
        "--region",
        "us-east-1,eu-west-1",
        "--rate",
        "50",
        "--retry-deadline",
        "0",
    ]);
    let errors: Vec<_> = findings(&report)
        .iter()
        .filter(|f| f["status"] == "ERROR" && f["reason"] == "API_ERROR")
        .collect();
    assert_eq!(errors.len(), 100, "one batch of 100");
    for e in &errors {
        assert_eq!(e["region"], "us-east-1");
        assert_eq!(e["evidence"]["error_code"], "ServiceUnavailable");
        assert_eq!(e["evidence"]["api_action"], "ses:GetIdentityDkimAttributes");
        assert_eq!(e["evidence"]["attempts"], 1);
    }
    // Addresses whose domain was in that batch cannot be judged either; nothing else is touched.
    let unreadable: Vec<&str> = errors
        .iter()
        .map(|e| e["resource_id"].as_str().unwrap())
        .collect();
    let mut dependents = 0;
    for f in findings(&report) {
        if f["status"] == "ERROR" && f["reason"] != "API_ERROR" {
            assert_eq!(f["reason"], "SIGNING_DOMAIN_UNREADABLE", "{f}");
            let domain = f["evidence"]["signing_domain"].as_str().unwrap();
            assert!(unreadable.contains(&domain), "{f}");
            dependents += 1;
        }
    }
    assert!(
        dependents > 0,
        "the seed puts addresses under the domains of that batch"
    );
    // Everything else still has its verdict.
    assert_eq!(findings(&report).len(), 250);
    assert_eq!(report["summary"]["by_region"]["eu-west-1"]["ERROR"], 0);
    assert_eq!(code, 3, "FAIL findings outrank the errors in the exit code");

    // With time to retry, the same fault costs one extra request and nothing else.
    emu.faults(json!([{
        "service": "ses", "action": "GetIdentityDkimAttributes", "region": "us-east-1",
        "first": 1, "error": { "status": 503, "code": "ServiceUnavailable" }
    }]));
    let (_, retried) = emu.scan_json(&["--region", "us-east-1,eu-west-1", "--rate", "50"]);
    assert_eq!(count(&retried, "ERROR"), 0);
    assert_eq!(calls(&retried, "ses:GetIdentityDkimAttributes"), 2 + 2 + 1);
}

#[test]
fn denied_permissions_are_errors_for_what_they_touched() {
    let emu = Emulator::start();
    emu.seed(120, "us-east-1,eu-west-1,eu-west-2", &[]);
    emu.faults(json!([
        { "service": "ses", "action": "ListIdentities", "region": "eu-west-1", "first": 1000,
          "error": { "status": 403, "code": "AccessDenied", "message": "not authorized to perform ses:ListIdentities" } },
        { "service": "ses", "action": "GetIdentityDkimAttributes", "region": "eu-west-2", "first": 1000,
          "error": { "status": 403, "code": "AccessDenied", "message": "not authorized" } }
    ]));
    let (code, report) =
        emu.scan_json(&["--region", "us-east-1,eu-west-1,eu-west-2", "--rate", "50"]);
    // eu-west-1: one region-level ERROR, no identity verdicts.
    let region_error = finding(&report, "eu-west-1");
    assert_eq!(region_error["status"], "ERROR");
    assert_eq!(region_error["reason"], "ACCESS_DENIED");
    assert_eq!(region_error["resource_type"], "region");
    assert_eq!(
        region_error["evidence"]["attempts"], 1,
        "a denial is not retried"
    );
    assert_eq!(
        report["summary"]["by_region"]["eu-west-1"]["state"],
        "error"
    );
    // eu-west-2: every identity ERROR, none PASS or FAIL.
    let w2: Vec<_> = findings(&report)
        .iter()
        .filter(|f| f["region"] == "eu-west-2")
        .collect();
    assert_eq!(w2.len(), 40);
    assert!(
        w2.iter()
            .all(|f| f["status"] == "ERROR" && f["reason"] == "ACCESS_DENIED")
    );
    // us-east-1 untouched.
    let e1: Vec<_> = findings(&report)
        .iter()
        .filter(|f| f["region"] == "us-east-1")
        .collect();
    assert_eq!(e1.len(), 40);
    assert!(
        e1.iter()
            .all(|f| f["status"] == "PASS" || f["status"] == "FAIL")
    );
    assert_eq!(code, 3);

    // With only errors and passes, the exit code says "incomplete".
    let (code, _) = emu.scan_json(&["--region", "eu-west-1", "--rate", "50"]);
    assert_eq!(code, 2);
}

#[test]
fn every_ses_region_is_tried_and_a_disabled_one_is_info() {
    let emu = Emulator::start();
    emu.put_identities(json!([
        { "region": "us-west-2", "identity": "example.com", "easy_dkim": true,
          "dkim_enabled": true, "dkim_status": "Success" }
    ]));
    emu.faults(json!([{ "service": "ses", "region": "af-south-1", "action": "*", "first": 1000,
        "error": { "status": 403, "code": "InvalidClientTokenId", "message": "The security token included in the request is invalid." } }]));
    let (code, report) = emu.scan_json(&["--rate", "50"]);
    assert_eq!(code, 0, "{}", report["summary"]);
    let by_region = report["summary"]["by_region"].as_object().unwrap();
    assert_eq!(by_region.len(), 27, "every commercial SES region");
    let af = finding(&report, "af-south-1");
    assert_eq!(af["status"], "INFO");
    assert_eq!(af["reason"], "REGION_NOT_ENABLED");
    assert_eq!(by_region["af-south-1"]["state"], "not_enabled");
    // Regions with no identities are in the summary.
    assert_eq!(by_region["eu-north-1"]["identities"], 0);
    assert_eq!(by_region["eu-north-1"]["state"], "scanned");
    assert_eq!(finding(&report, "example.com")["status"], "PASS");
    // The enabled-regions lookup was attempted (the emulator lacks it) and the fallback used.
    assert_eq!(calls(&report, "account:ListRegions"), 1);
    // An empty region costs one list call and no DKIM call; the disabled one is not retried.
    assert_eq!(calls(&report, "ses:ListIdentities"), 27);
    assert_eq!(calls(&report, "ses:GetIdentityDkimAttributes"), 1);
}

#[test]
fn collect_then_scan_of_the_snapshot_gives_identical_findings() {
    let emu = Emulator::start();
    emu.seed(150, "us-east-1,eu-west-1", &["--pending-ratio", "0.3"]);
    emu.faults(
        json!([{ "service": "ses", "action": "GetIdentityDkimAttributes", "region": "eu-west-1",
        "first": 1, "error": { "status": 403, "code": "AccessDenied" } }]),
    );
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    let out = emu.assure(&[
        "collect",
        "--region",
        "us-east-1,eu-west-1",
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
    let live = {
        emu.faults(
            json!([{ "service": "ses", "action": "GetIdentityDkimAttributes", "region": "eu-west-1",
            "first": 1, "error": { "status": 403, "code": "AccessDenied" } }]),
        );
        // Every rule that needs no DNS: SESv2 details go through the snapshot too.
        emu.scan_json(&[
            "--region",
            "us-east-1,eu-west-1",
            "--rate",
            "50",
            "--rule",
            "SES-001",
            "--rule",
            "SES-102",
            "--rule",
            "SES-103",
        ])
        .1
    };
    let offline = assure_cmd()
        .args([
            "scan",
            "--snapshot",
            snap.to_str().unwrap(),
            "--format",
            "json",
        ])
        .args([
            "--rule", "SES-001", "--rule", "SES-102", "--rule", "SES-103",
        ])
        .output()
        .unwrap();
    assert_eq!(offline.status.code(), Some(3));
    let offline: Value = serde_json::from_slice(&offline.stdout).unwrap();
    assert!(
        offline["findings"] == live["findings"],
        "the snapshot scan differs from the live one"
    );
    assert!(
        findings(&offline)
            .iter()
            .any(|f| f["rule_id"] == "SES-102" && f["status"] == "PASS")
    );
    assert!(count(&offline, "ERROR") > 0, "errors survive the snapshot");
    assert_eq!(offline["summary"]["source"], "snapshot");
    assert_eq!(offline["summary"]["api_calls_total"], 0);
    assert_eq!(
        offline["summary"]["by_region"],
        live["summary"]["by_region"]
    );
}

#[test]
fn rejected_credentials_stop_the_run_instead_of_reporting_nothing_found() {
    let emu = Emulator::start();
    emu.faults(json!([{ "service": "sts", "action": "*", "first": 1000,
        "error": { "status": 403, "code": "InvalidClientTokenId", "message": "The security token included in the request is invalid" } }]));
    let out = emu.assure(&["scan", "--region", "us-east-1"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("credentials were rejected"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "no report for a run that could not look"
    );
}
