//! The command line without AWS: the README's main command on the bundled sample account, the
//! output formats, exit codes, and clear errors for bad input.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

const SAMPLE: &str = "examples/sample-account.json";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = assure_cmd()
        .current_dir(repo_root())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn reasons(report: &Value) -> BTreeSet<(String, String, String)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().into(),
                f["status"].as_str().unwrap().into(),
                f["reason"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn the_readme_main_command_scans_the_sample_account() {
    let (code, stdout, stderr) = run(&["scan", "--snapshot", SAMPLE]);
    assert_eq!(code, 3, "FAIL findings: exit 3; stderr: {stderr}");
    for needle in [
        "DKIM_NOT_STARTED",
        "team.inbox@gmail.com",
        "NO_SIGNING_DOMAIN",
        "REGION_NOT_ENABLED",
        "SES-001, SES-101, SES-102, SES-103: 19 PASS, 14 FAIL, 14 ERROR, 6 INFO",
        "RECORD_WRONG_TARGET",
        "KEY_1024_BIT",
        // Every column, the message included, under its own header.
        "STATUS  RULE     RISK    REGION",
        "a 1024-bit DKIM key",
        "no domain identity for gmail.com or a parent domain exists in this region",
        "ca-central-1     scanned               0",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
    assert!(!stdout.contains('\x1b'), "no colour when not on a terminal");
}

#[test]
fn the_sample_account_exercises_every_reason_code() {
    let (_, stdout, _) = run(&["scan", "--snapshot", SAMPLE, "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let expected: BTreeSet<(String, String, String)> = [
        ("SES-001", "PASS", "DKIM_VERIFIED"),
        ("SES-001", "PASS", "SIGNED_BY_DOMAIN"),
        ("SES-001", "FAIL", "DKIM_DISABLED"),
        ("SES-001", "FAIL", "DKIM_NOT_STARTED"),
        ("SES-001", "FAIL", "DKIM_PENDING"),
        ("SES-001", "FAIL", "DKIM_TEMPORARY_FAILURE"),
        ("SES-001", "FAIL", "DKIM_FAILED"),
        ("SES-001", "FAIL", "NO_SIGNING_DOMAIN"),
        ("SES-001", "ERROR", "THROTTLED"),
        ("SES-001", "ERROR", "ACCESS_DENIED"),
        ("SES-001", "ERROR", "TIMEOUT"),
        ("SES-001", "ERROR", "NETWORK_ERROR"),
        ("SES-001", "ERROR", "MALFORMED_RESPONSE"),
        ("SES-001", "ERROR", "API_ERROR"),
        ("SES-001", "ERROR", "SIGNING_DOMAIN_UNREADABLE"),
        ("SES-001", "ERROR", "LISTING_INCOMPLETE"),
        ("SES-001", "INFO", "REGION_NOT_ENABLED"),
        ("SES-101", "PASS", "RECORDS_PUBLISHED"),
        ("SES-101", "FAIL", "RECORD_MISSING"),
        ("SES-101", "FAIL", "RECORD_WRONG_TARGET"),
        ("SES-101", "FAIL", "RECORD_CONFLICT"),
        ("SES-101", "ERROR", "DNS_LOOKUP_FAILED"),
        ("SES-101", "INFO", "REPLICA_INHERITS_DKIM"),
        ("SES-101", "INFO", "DNS_NOT_CHECKED"),
        ("SES-102", "PASS", "KEY_2048_BIT"),
        ("SES-102", "FAIL", "KEY_1024_BIT"),
        ("SES-102", "ERROR", "THROTTLED"),
        ("SES-102", "INFO", "DETAILS_NOT_COLLECTED"),
        ("SES-103", "PASS", "KEY_RECENT"),
        ("SES-103", "FAIL", "KEY_TOO_OLD"),
        ("SES-103", "ERROR", "KEY_AGE_UNKNOWN"),
        ("SES-103", "ERROR", "THROTTLED"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(reasons(&report), expected);
    assert_eq!(report["schema_version"], 1);
    let s = &report["summary"];
    assert_eq!(s["by_status"]["FAIL"], 14);
    assert_eq!(s["identities"], 26);
    assert_eq!(s["by_region"]["af-south-1"]["state"], "not_enabled");
    assert_eq!(s["source"], "snapshot");

    let (_, stdout, _) = run(&[
        "scan",
        "--snapshot",
        SAMPLE,
        "--format",
        "json",
        "--mode",
        "conformity",
    ]);
    let conformity: Value = serde_json::from_str(&stdout).unwrap();
    let got = reasons(&conformity);
    assert!(got.contains(&("SES-001".into(), "PASS".into(), "DKIM_FLAG_ENABLED".into())));
    assert!(got.contains(&("SES-001".into(), "FAIL".into(), "DKIM_DISABLED".into())));
    // Conformity mode passes the never-started domain that strict mode fails.
    let never = finding(&conformity, "new-brand.example");
    assert_eq!(never["status"], "PASS");
    let strict = findings(&report)
        .iter()
        .find(|f| f["resource_id"] == "new-brand.example" && f["rule_id"] == "SES-001")
        .unwrap();
    assert_eq!(strict["status"], "FAIL");
}

#[test]
fn exit_codes_follow_the_fail_on_threshold() {
    // Only Low-risk failures: above the threshold nothing fails, but errors remain.
    let (code, _, _) = run(&["scan", "--snapshot", SAMPLE, "--fail-on", "high"]);
    assert_eq!(code, 2);
    // Only the clean region: nothing failing, nothing unreadable.
    let (code, _, _) = run(&["scan", "--snapshot", SAMPLE, "--region", "ca-central-1"]);
    assert_eq!(code, 0);
    let (code, _, _) = run(&["scan", "--snapshot", SAMPLE, "--region", "eu-west-2"]);
    assert_eq!(code, 2);
}

#[test]
fn csv_and_output_files_carry_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("findings.csv");
    let (code, stdout, _) = run(&[
        "scan",
        "--snapshot",
        SAMPLE,
        "--format",
        "csv",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 3);
    assert!(stdout.is_empty());
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "rule_id");
    assert_eq!(&headers[7], "resource_id");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 53);
    let gmail = rows
        .iter()
        .find(|r| &r[7] == "team.inbox@gmail.com")
        .unwrap();
    assert_eq!(&gmail[1], "FAIL");
    assert_eq!(&gmail[2], "NO_SIGNING_DOMAIN");
    let evidence: Value = serde_json::from_str(&gmail[10]).unwrap();
    assert_eq!(evidence["dkim_enabled"], true);
}

#[test]
fn a_malformed_snapshot_names_the_file_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    let mut inv: Value = serde_json::from_str(&read(&example(SAMPLE))).unwrap();
    inv["accounts"][0]["regions"][0]["identities"][2]["dkim"]["status"] = "Verified".into();
    std::fs::write(&bad, serde_json::to_string_pretty(&inv).unwrap()).unwrap();
    let (code, stdout, stderr) = run(&["scan", "--snapshot", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(stderr.contains("bad.json"), "{stderr}");
    assert!(
        stderr.contains("accounts[0].regions[0].identities[2].dkim.status"),
        "{stderr}"
    );
    assert!(stderr.contains("Verified"), "{stderr}");
    assert!(stderr.contains("line "), "{stderr}");

    std::fs::write(&bad, "{\"schema_version\": 2, \"accounts\": []}").unwrap();
    let (code, _, stderr) = run(&["scan", "--snapshot", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("schema_version 2 is not supported"),
        "{stderr}"
    );

    std::fs::write(&bad, "{\"schema_version\": 1, \"accounts\": [").unwrap();
    let (code, _, stderr) = run(&["scan", "--snapshot", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("not valid JSON") && stderr.contains("line 1"),
        "{stderr}"
    );

    let (code, _, stderr) = run(&["scan", "--snapshot", "no/such/file.json"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no/such/file.json") && stderr.contains("cannot read"),
        "{stderr}"
    );
}

#[test]
fn bad_arguments_get_a_clear_error_and_exit_1() {
    let (code, _, stderr) = run(&["scan", "--snapshot", SAMPLE, "--region", "us-east-7"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("us-east-7") && stderr.contains("eu-west-1"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["scan", "--snapshot", SAMPLE, "--rule", "SES-999"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("unknown rule `SES-999`") && stderr.contains("SES-001"),
        "{stderr}"
    );
    let (code, _, _) = run(&["scan", "--format", "xml"]);
    assert_eq!(code, 1);
    let (code, _, stderr) = run(&["scan", "--region", "us-east-1", "--rate", "0"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--rate must be between"), "{stderr}");
    let (code, _, stderr) = run(&["scan", "--resolver", "dns.example"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("not an IP address"), "{stderr}");
    // A region the snapshot does not hold is refused, not reported clean.
    let (code, _, stderr) = run(&["scan", "--snapshot", SAMPLE, "--region", "us-east-2"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no data for region us-east-2") && stderr.contains("ca-central-1"),
        "{stderr}"
    );
    // Naming a rule twice runs it once.
    let (_, stdout, _) = run(&[
        "scan",
        "--snapshot",
        SAMPLE,
        "--format",
        "json",
        "--rule",
        "SES-001",
        "--rule",
        "ses-001",
    ]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(findings(&report).len(), 29, "26 identities and 3 regions");
    assert!(findings(&report).iter().all(|f| f["rule_id"] == "SES-001"));
    // A config file with a mistake names the file, the key and the line.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("assure.toml");
    std::fs::write(&config, "[rules]\nmax_key_age = 30\n").unwrap();
    let (code, _, stderr) = run(&[
        "scan",
        "--snapshot",
        SAMPLE,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("assure.toml")
            && stderr.contains("max_key_age")
            && stderr.contains("line 2"),
        "{stderr}"
    );
    // A profile in the environment does not stand in the way of an offline scan.
    let out = assure_cmd()
        .current_dir(repo_root())
        .env("AWS_PROFILE", "audit")
        .args(["scan", "--snapshot", SAMPLE])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, _, stderr) = run(&["scan", "--snapshot", SAMPLE, "--profile", "audit"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    let (code, stdout, _) = run(&["scan", "--help"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Exit codes:") && stdout.contains("3  at least one FAIL"),
        "{stdout}"
    );
}

#[test]
fn missing_credentials_say_how_to_provide_them() {
    // Nothing in the environment, no files, no instance metadata: nothing leaves loopback.
    let (code, stdout, stderr) = run(&[
        "scan",
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("no AWS credentials could be found"),
        "{stderr}"
    );
    assert!(
        stderr.contains("AWS_ACCESS_KEY_ID") && stderr.contains("--profile"),
        "{stderr}"
    );
    assert!(stderr.contains("--snapshot"), "{stderr}");
}

#[test]
fn rules_and_explain_describe_ses_001() {
    let (code, stdout, _) = run(&["rules"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("SES-001") && stdout.contains("DKIM Enabled") && stdout.contains("Low")
    );
    let (_, stdout, _) = run(&["rules", "--format", "json"]);
    let rules: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rules[0]["rule_id"], "SES-001");
    assert_eq!(rules[0]["risk"], "Low");

    let (code, stdout, _) = run(&["explain", "ses-001"]);
    assert_eq!(code, 0);
    for section in [
        "# SES-001",
        "## How assure decides",
        "## How to audit it yourself",
        "## How to fix it",
    ] {
        assert!(stdout.contains(section), "missing {section}");
    }
    assert!(stdout.contains("verify-domain-dkim") && stdout.contains("dkim.amazonses.com"));
    let (code, _, stderr) = run(&["explain", "SES-404"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown rule"), "{stderr}");
}

#[test]
fn fix_plans_from_a_snapshot_and_prints_records_in_each_format() {
    let (code, stdout, _) = run(&["fix", "--snapshot", SAMPLE]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("us-east-1 new-brand.example [DKIM_NOT_STARTED]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1. create Easy DKIM tokens for new-brand.example"),
        "{stdout}"
    );
    assert!(stdout.contains("mailbox provider"), "{stdout}");
    assert!(stdout.contains("not planned: region eu-west-2"), "{stdout}");
    // Machine formats go to stdout alone; the plan goes to stderr.
    let (code, zone, plan) = run(&["fix", "--snapshot", SAMPLE, "--dns-format", "zone"]);
    assert_eq!(code, 0);
    assert!(plan.contains("Plan for SES-001"));
    let lines: Vec<&str> = zone.lines().filter(|l| !l.starts_with(';')).collect();
    assert_eq!(
        lines.len(),
        9,
        "billing, shop and legacy: 3 CNAMEs each\n{zone}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.contains(" 1800 IN CNAME ") && l.ends_with(".dkim.amazonses.com."))
    );
    let (_, tf, _) = run(&["fix", "--snapshot", SAMPLE, "--dns-format", "terraform"]);
    assert_eq!(tf.matches("resource \"aws_route53_record\"").count(), 9);
    // Saved plans are versioned; a broken one names the file and the place.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let (code, _, _) = run(&[
        "fix",
        "--snapshot",
        SAMPLE,
        "--plan-out",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let mut plan: Value = serde_json::from_str(&read(&path)).unwrap();
    assert_eq!(plan["plan_version"], 1);
    assert_eq!(plan["account_id"], "111122223333");
    plan["items"][0]["steps"][0]["action"] = "delete_everything".into();
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (code, _, stderr) = run(&["apply", path.to_str().unwrap(), "--yes"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("plan.json") && stderr.contains("items[0].steps[0]"),
        "{stderr}"
    );
    // Route 53 changes need the live account's zones.
    let (code, _, stderr) = run(&["fix", "--snapshot", SAMPLE, "--dns", "route53"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("needs a live account"), "{stderr}");
}

#[test]
fn iam_policies_grant_only_what_each_job_needs() {
    let actions = |args: &[&str]| -> Vec<String> {
        let (code, stdout, _) = run(args);
        assert_eq!(code, 0);
        let policy: Value = serde_json::from_str(&stdout).unwrap();
        policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| match &s["Action"] {
                Value::String(a) => vec![a.clone()],
                Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
                _ => vec![],
            })
            .collect()
    };
    let scan = actions(&["iam-policy", "--for", "scan"]);
    assert_eq!(
        scan,
        [
            "ses:ListIdentities",
            "ses:GetIdentityDkimAttributes",
            "ses:GetEmailIdentity",
            "account:ListRegions"
        ]
    );
    let fix = actions(&["iam-policy", "--for", "fix"]);
    for a in [
        "ses:VerifyDomainDkim",
        "ses:SetIdentityDkimEnabled",
        "route53:ChangeResourceRecordSets",
        "route53:GetChange",
    ] {
        assert!(fix.contains(&a.to_string()), "{a}");
    }
    assert!(!fix.iter().any(|a| a.contains("Delete")), "never deletes");
}

#[test]
fn the_config_file_sets_rule_settings_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("assure.toml");
    let key_verdict = |args: &[&str]| -> String {
        let mut all = vec![
            "scan",
            "--snapshot",
            SAMPLE,
            "--format",
            "json",
            "--rule",
            "SES-103",
        ];
        all.extend_from_slice(args);
        let (_, stdout, _) = run(&all);
        let report: Value = serde_json::from_str(&stdout).unwrap();
        finding(&report, "news.example.com")["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // The key of news.example.com is 60 days old when the sample was collected.
    assert_eq!(key_verdict(&[]), "KEY_RECENT");
    std::fs::write(
        &config,
        "[rules]\nmax_key_age_days = 30\nmode = \"conformity\"\n",
    )
    .unwrap();
    assert_eq!(
        key_verdict(&["--config", config.to_str().unwrap()]),
        "KEY_TOO_OLD"
    );
    let (_, stdout, _) = run(&[
        "scan",
        "--snapshot",
        SAMPLE,
        "--format",
        "json",
        "--rule",
        "SES-001",
        "--config",
        config.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"]["mode"], "conformity");
    let (_, stdout, _) = run(&[
        "scan",
        "--snapshot",
        SAMPLE,
        "--format",
        "json",
        "--rule",
        "SES-001",
        "--config",
        config.to_str().unwrap(),
        "--mode",
        "strict",
    ]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["summary"]["mode"], "strict",
        "the flag wins over the file"
    );
}
