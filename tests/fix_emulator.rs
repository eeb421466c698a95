//! `assure fix` and `assure apply` against the emulator's SES and Route 53 on loopback.

mod common;

use common::*;
use serde_json::{Value, json};
use std::path::Path;

/// `assure fix ... --plan-out FILE`; returns the plan.
fn make_plan(emu: &Emulator, dir: &Path, args: &[&str]) -> Value {
    let path = dir.join("plan.json");
    let mut all = vec!["fix", "--rate", "50", "--plan-out", path.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = emu.assure(&all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&read(&path)).unwrap()
}

/// `assure apply FILE --yes --json ...`; returns the exit code and the report.
fn apply(emu: &Emulator, dir: &Path, extra: &[&str]) -> (i32, Value) {
    let path = dir.join("plan.json");
    let mut all = vec![
        "apply",
        path.to_str().unwrap(),
        "--yes",
        "--json",
        "--rate",
        "50",
    ];
    all.extend_from_slice(extra);
    let out = emu.assure_raw(&all);
    let code = out.status.code().unwrap_or(-1);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}), exit {code}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, report)
}

fn item<'a>(report: &'a Value, identity: &str) -> &'a Value {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["identity"] == identity)
        .unwrap_or_else(|| panic!("no item for {identity}"))
}

fn results(item: &Value) -> Vec<String> {
    item["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["result"].as_str().unwrap().to_string())
        .collect()
}

/// Emulator request counts whose action changes state.
fn changing_calls(emu: &Emulator) -> Vec<String> {
    emu.stats()["by_action"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| {
            k.contains("VerifyDomainDkim")
                || k.contains("SetIdentityDkimEnabled")
                || k.starts_with("route53:POST")
        })
        .cloned()
        .collect()
}

#[test]
fn apply_fixes_a_seeded_mix_and_a_second_apply_changes_nothing() {
    let emu = Emulator::start();
    let truth = emu.seed(40, "us-east-1,af-south-1", &[]);
    let zones = emu.route53(
        &[
            "zones",
            "useast1.example.com",
            "afsouth1.example.com",
            "example.net",
        ],
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    let plan = make_plan(
        &emu,
        dir.path(),
        &["--region", "us-east-1,af-south-1", "--dns", "route53"],
    );
    assert_eq!(plan["account_id"], "123456789012");
    assert_eq!(plan["dns_provider"], "route53");

    let (code, report) = apply(&emu, dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    let (_, scan) = emu.scan_json(&["--region", "us-east-1,af-south-1", "--rate", "50"]);
    let mut kinds_seen = std::collections::BTreeSet::new();
    for (region, items) in truth["identities"].as_object().unwrap() {
        for t in items.as_array().unwrap() {
            let name = t["name"].as_str().unwrap();
            let f = finding(&scan, name);
            let verdict = (f["status"].as_str().unwrap(), f["reason"].as_str().unwrap());
            let expected = match t["kind"].as_str().unwrap() {
                "domain_nodkim" => ("FAIL", "DKIM_PENDING"),
                "email_orphan" => ("FAIL", "NO_SIGNING_DOMAIN"),
                "email_optout" | "email_inherit" => ("PASS", "SIGNED_BY_DOMAIN"),
                _ => ("PASS", "DKIM_VERIFIED"),
            };
            assert_eq!(verdict, expected, "{region} {name}");
            kinds_seen.insert(t["kind"].as_str().unwrap().to_string());
        }
    }
    assert!(kinds_seen.contains("domain_nodkim") && kinds_seen.contains("email_orphan"));

    // Every planned domain has its three CNAMEs in the most specific zone, pointing at its
    // region's key zone (regional in af-south-1).
    let mut zone_records = std::collections::HashMap::new();
    for (name, id) in zones.as_object().unwrap() {
        zone_records.insert(
            name.clone(),
            emu.route53(&["records", id.as_str().unwrap()], None),
        );
    }
    let domains: Vec<&Value> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "domain")
        .collect();
    assert!(
        domains.iter().any(|d| d["before"].is_null()),
        "the plan creates domains for orphaned addresses"
    );
    for d in &domains {
        let domain = d["identity"].as_str().unwrap();
        let zone = zone_records
            .keys()
            .filter(|z| domain.ends_with(&format!(".{z}")))
            .max_by_key(|z| z.len())
            .unwrap();
        let target = if d["region"] == "af-south-1" {
            ".dkim.af-south-1.amazonses.com"
        } else {
            ".dkim.amazonses.com"
        };
        let cnames: Vec<&Value> = zone_records[zone]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                r["type"] == "CNAME"
                    && r["name"]
                        .as_str()
                        .unwrap()
                        .ends_with(&format!("._domainkey.{domain}"))
            })
            .collect();
        assert_eq!(cnames.len(), 3, "{domain} in {zone}");
        for r in cnames {
            assert!(r["values"][0].as_str().unwrap().ends_with(target), "{r}");
        }
    }

    // Once SES sees the records, everything passes.
    let pending: Vec<Value> = findings(&scan)
        .iter()
        .filter(|f| f["reason"] == "DKIM_PENDING")
        .map(|f| json!({ "region": f["region"], "identity": f["resource_id"], "dkim_status": "Success" }))
        .collect();
    assert!(!pending.is_empty());
    emu.force(json!(pending));
    let (code, after) = emu.scan_json(&["--region", "us-east-1,af-south-1", "--rate", "50"]);
    assert_eq!(count(&after, "FAIL"), 0, "{}", after["summary"]);
    assert_eq!(code, 0);

    // The same plan again: every step is already in place, and nothing is changed.
    emu.reset_stats();
    let (code, again) = apply(&emu, dir.path(), &[]);
    assert_eq!(code, 0, "{again}");
    assert_eq!(changing_calls(&emu), Vec::<String>::new());
    for i in again["items"].as_array().unwrap() {
        assert!(
            results(i).iter().all(|r| r == "skipped" || r == "manual"),
            "{i}"
        );
    }
}

#[test]
fn a_conflicting_record_stops_that_identity_unless_forced() {
    let emu = Emulator::start();
    emu.put_identities(json!([
        { "region": "us-east-1", "identity": "a.example.com", "easy_dkim": true, "dkim_enabled": false, "dkim_status": "Success" },
        { "region": "us-east-1", "identity": "b.example.com", "easy_dkim": true, "dkim_enabled": false, "dkim_status": "Success" }
    ]));
    let zones = emu.route53(&["zones", "example.com"], None);
    let zone = zones["example.com"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plan = make_plan(
        &emu,
        dir.path(),
        &["--region", "us-east-1", "--dns", "route53"],
    );
    let a = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["identity"] == "a.example.com")
        .unwrap();
    let taken = a["steps"][0]["records"][0]["name"].as_str().unwrap();
    emu.route53(
        &["put", zone, taken, "CNAME", "someone-else.example.org"],
        None,
    );

    let (code, report) = apply(&emu, dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(
        results(item(&report, "a.example.com")),
        ["conflict", "not_run"]
    );
    let detail = item(&report, "a.example.com")["steps"][0]["detail"]
        .as_str()
        .unwrap();
    assert!(detail.contains("someone-else.example.org"), "{detail}");
    assert_eq!(results(item(&report, "b.example.com")), ["done", "done"]);
    assert_eq!(
        item(&report, "a.example.com")["after"],
        "FAIL DKIM_DISABLED"
    );
    assert_eq!(
        item(&report, "b.example.com")["after"],
        "PASS DKIM_VERIFIED"
    );
    // The other record was left as it was.
    let records = emu.route53(&["records", zone], None);
    let held = records
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == taken)
        .unwrap();
    assert_eq!(held["values"][0], "someone-else.example.org");

    // An identity deleted since the plan was made is refused, and nothing is done to it.
    emu.put_identities(
        json!([{ "region": "us-east-1", "identity": "b.example.com", "delete": true }]),
    );
    let (code, gone) = apply(&emu, dir.path(), &[]);
    assert_eq!(code, 2);
    let b = item(&gone, "b.example.com");
    // (The emulator still answers for a deleted identity, with no tokens: a change either way.)
    let why = b["refused"].as_str().unwrap();
    assert!(
        why.contains("no longer exists") || why.contains("tokens changed"),
        "{b}"
    );
    assert!(b["steps"].as_array().unwrap().is_empty());
    // Re-created, it needs a new plan.
    emu.put_identities(json!([
        { "region": "us-east-1", "identity": "b.example.com", "easy_dkim": true, "dkim_enabled": false, "dkim_status": "Success" }
    ]));
    make_plan(
        &emu,
        dir.path(),
        &["--region", "us-east-1", "--dns", "route53"],
    );

    let (code, forced) = apply(&emu, dir.path(), &["--force"]);
    assert_eq!(code, 0, "{forced}");
    assert_eq!(results(item(&forced, "a.example.com")), ["done", "done"]);
    assert!(
        item(&forced, "a.example.com")["steps"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("overwrote")
    );
    // The emulator derives tokens from the name, so b's records from the first apply still fit.
    assert_eq!(results(item(&forced, "b.example.com")), ["skipped", "done"]);
}

#[test]
fn a_failure_mid_plan_stops_that_identity_and_the_others_carry_on() {
    let emu = Emulator::start();
    emu.put_identities(json!([
        { "region": "eu-west-1", "identity": "f.example.com" },
        { "region": "eu-west-1", "identity": "g.example.com" },
        { "region": "eu-west-1", "identity": "h.example.com", "easy_dkim": true, "dkim_enabled": false, "dkim_status": "Success" }
    ]));
    let dir = tempfile::tempdir().unwrap();
    make_plan(&emu, dir.path(), &["--region", "eu-west-1"]);
    emu.faults(
        json!([{ "service": "ses", "action": "VerifyDomainDkim", "first": 1,
        "error": { "status": 500, "code": "InternalFailure", "message": "boom" } }]),
    );
    let (code, report) = apply(&emu, dir.path(), &["--retry-deadline", "0"]);
    assert_eq!(code, 2);
    let f = item(&report, "f.example.com");
    assert_eq!(results(f), ["failed", "not_run", "not_run"]);
    assert!(
        f["steps"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("InternalFailure")
    );
    assert_eq!(f["after"], "FAIL DKIM_NOT_STARTED");
    // Without a hosted zone, records are for a person; the SES steps still run.
    assert_eq!(
        results(item(&report, "g.example.com")),
        ["done", "manual", "skipped"]
    );
    assert_eq!(item(&report, "g.example.com")["after"], "FAIL DKIM_PENDING");
    assert_eq!(results(item(&report, "h.example.com")), ["manual", "done"]);
    // Every call is in the report, the failed one included.
    let calls = report["calls"].as_array().unwrap();
    let verify: Vec<_> = calls
        .iter()
        .filter(|c| c["action"] == "ses:VerifyDomainDkim")
        .collect();
    assert_eq!(verify.len(), 2);
    assert_eq!(verify[0]["ok"], false);
    assert_eq!(verify[0]["target"], "f.example.com");
}

#[test]
fn a_plan_for_another_account_or_without_confirmation_is_refused() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let out = assure_cmd()
        .current_dir(repo_root())
        .args([
            "fix",
            "--snapshot",
            "examples/sample-account.json",
            "--plan-out",
            plan.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    emu.reset_stats();
    let out = emu.assure_raw(&["apply", plan.to_str().unwrap(), "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("made for account 111122223333") && stderr.contains("123456789012"),
        "{stderr}"
    );
    assert_eq!(changing_calls(&emu), Vec::<String>::new());
    assert!(
        emu.stats()["by_action"]
            .get("ses:GetIdentityDkimAttributes")
            .is_none()
    );

    // Right account, but nobody to confirm and no --yes.
    emu.put_identities(json!([{ "region": "us-east-1", "identity": "x.example.com" }]));
    make_plan(&emu, dir.path(), &["--region", "us-east-1"]);
    let out = emu.assure_raw(&["apply", plan.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --yes"));
    assert_eq!(changing_calls(&emu), Vec::<String>::new());
}

#[test]
fn route53_change_batches_are_accepted_by_route53() {
    let emu = Emulator::start();
    let out = assure_cmd()
        .current_dir(repo_root())
        .args([
            "fix",
            "--snapshot",
            "examples/sample-account.json",
            "--dns-format",
            "route53",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let batches: Value = serde_json::from_slice(&out.stdout).unwrap();
    let batches = batches.as_object().unwrap();
    assert!(
        batches.contains_key("billing.example.com") && batches.contains_key("shop.example.org")
    );
    let zones = emu.route53(
        &["zones", "example.com", "example.org", "example.net"],
        None,
    );
    for (domain, batch) in batches {
        let parent = domain.split_once('.').unwrap().1;
        let zone = zones[parent]
            .as_str()
            .unwrap_or_else(|| panic!("no zone for {domain}"));
        let status = emu.route53(&["batch", zone], Some(&batch.to_string()));
        assert!(status == "INSYNC" || status == "PENDING", "{status}");
        let records = emu.route53(&["records", zone], None);
        let names: Vec<&str> = records
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        for change in batch["Changes"].as_array().unwrap() {
            let name = change["ResourceRecordSet"]["Name"].as_str().unwrap();
            assert!(names.contains(&name), "{name} not in {names:?}");
        }
    }
}
