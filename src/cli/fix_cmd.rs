//! `assure fix`, `assure apply` and `assure iam-policy`: plan, review, apply.

use super::args::{ApplyArgs, DnsProvider, FixArgs};
use super::scan_cmd::{check_rate, collect_live, keep_regions, runtime};
use super::{EXIT_CLEAN, EXIT_INCOMPLETE, EXIT_TOOL_ERROR};
use crate::collect::pacing::{Caller, Metrics, Pacer, RetryPolicy};
use crate::collect::session::{self, SessionOptions};
use crate::collect::{now_rfc3339, regions};
use crate::inventory::snapshot;
use crate::remediate::apply::{self, ApplyOptions, ApplyReport, StepResult};
use crate::remediate::dns_formats::{self, DnsFormat};
use crate::remediate::iam::{self, Purpose};
use crate::remediate::plan::{self, Plan};
use crate::remediate::planner::{self, ZoneIndex};
use crate::remediate::route53;
use crate::rules::{self, Needs, RuleConfig};
use anyhow::{Context, bail};
use std::io::{self, BufRead, IsTerminal, Write};
use std::time::Duration;

pub fn fix(args: FixArgs) -> anyhow::Result<u8> {
    let rule = rules::find(&args.rule_id).map_err(anyhow::Error::msg)?;
    if rule.meta().id != "SES-001" {
        bail!("{} has no automated fix yet", rule.meta().id);
    }
    if args.snapshot.is_some() && args.dns == DnsProvider::Route53 {
        bail!(
            "--dns route53 reads the account's hosted zones, so it needs a live account, not --snapshot"
        );
    }
    let requested = regions::parse_requested(&args.aws.regions).map_err(anyhow::Error::msg)?;
    let mut inventory = match &args.snapshot {
        Some(path) => snapshot::read(path)?,
        // The SES-001 listing is enough to plan; SESv2 details in a snapshot are used if there.
        None => collect_live(&args.aws, requested.clone(), Needs::default())?,
    };
    if args.snapshot.is_some() && !requested.is_empty() {
        keep_regions(&mut inventory, &requested)?;
    }
    let [account] = inventory.accounts.as_slice() else {
        bail!(
            "a plan covers one account; this inventory has {}",
            inventory.accounts.len()
        );
    };
    // Fixes aim at what really signs mail, whatever mode the scan used.
    let findings = rule.evaluate(&inventory, &RuleConfig::default());
    let zones = match args.dns {
        DnsProvider::None => None,
        DnsProvider::Route53 => Some(hosted_zones(&args)?),
    };
    let plan = planner::plan(account, &findings, zones.as_ref(), now_rfc3339());

    let text = plan_text(&plan);
    if args.dns_format == DnsFormat::Table {
        print!("{text}");
        let records = dns_formats::render(&plan, DnsFormat::Table);
        if !records.is_empty() {
            println!("\nDNS records:\n{records}");
        }
    } else {
        eprint!("{text}");
        print!("{}", dns_formats::render(&plan, args.dns_format));
    }
    if let Some(path) = &args.plan_out {
        plan::write(path, &plan)?;
        eprintln!(
            "plan saved to {0}: review it, then run `assure apply {0}`",
            path.display()
        );
    }
    Ok(EXIT_CLEAN)
}

/// The account's public hosted zones.
fn hosted_zones(args: &FixArgs) -> anyhow::Result<ZoneIndex> {
    runtime()?.block_on(async {
        let config = session::load(&SessionOptions {
            profile: args.aws.connection.profile.clone(),
            endpoint_url: args.aws.connection.endpoint_url.clone(),
            fallback_region: None,
        })
        .await?;
        let partition = args
            .aws
            .regions
            .first()
            .map_or("aws", |r| regions::partition_of(r));
        let client = route53::client(&config, partition);
        let (pacer, metrics, policy) =
            (Pacer::new(5.0), Metrics::default(), RetryPolicy::default());
        let caller = Caller {
            pacer: &pacer,
            metrics: &metrics,
            policy: &policy,
        };
        let zones = route53::public_zones(&client, &caller).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot list the Route 53 hosted zones: {} {}",
                e.code,
                e.message
            )
        })?;
        Ok(ZoneIndex::new(zones))
    })
}

/// The plan for people: each identity, its reason, its numbered steps and notes.
pub fn plan_text(plan: &Plan) -> String {
    let mut out = format!(
        "Plan for {} in account {} ({} identities{}):\n",
        plan.rule_id,
        plan.account_id,
        plan.items.len(),
        plan.dns_provider
            .as_deref()
            .map_or(String::new(), |p| format!(", DNS through {p}"))
    );
    for item in &plan.items {
        out.push_str(&format!(
            "\n{} {} [{}]\n",
            item.region, item.identity, item.reason
        ));
        for (i, step) in item.steps.iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", i + 1, step.describe()));
        }
        for note in &item.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
    }
    if plan.items.is_empty() {
        out.push_str("\nNothing to fix.\n");
    }
    if !plan.not_planned.is_empty() {
        out.push('\n');
    }
    for skipped in &plan.not_planned {
        out.push_str(&format!("not planned: {skipped}\n"));
    }
    out
}

pub fn apply(args: ApplyArgs) -> anyhow::Result<u8> {
    let plan = plan::read(&args.plan)?;
    check_rate(args.connection.rate)?;
    let rt = runtime()?;
    let config = rt.block_on(async {
        let config = session::load(&SessionOptions {
            profile: args.connection.profile.clone(),
            endpoint_url: args.connection.endpoint_url.clone(),
            fallback_region: Some(regions::home_region(&plan.partition).to_string()),
        })
        .await?;
        let account = session::caller_account(&config, &Metrics::default(), &RetryPolicy::default()).await?;
        if account != plan.account_id {
            bail!(
                "the plan was made for account {}, but these credentials are for account {account}: nothing applied",
                plan.account_id
            );
        }
        anyhow::Ok(config)
    })?;
    eprint!("{}", plan_text(&plan));
    if !args.yes && !confirm(&plan)? {
        eprintln!("nothing applied");
        return Ok(EXIT_TOOL_ERROR);
    }
    let opts = ApplyOptions {
        force: args.force,
        route53_wait: Duration::from_secs(args.route53_wait),
        rate: args.connection.rate,
        retry: RetryPolicy {
            deadline: Duration::from_secs(args.connection.retry_deadline),
            ..RetryPolicy::default()
        },
    };
    let mut report = rt.block_on(apply::apply(&plan, &config, opts));
    report.calls.insert(
        0,
        apply::CallRecord {
            action: "sts:GetCallerIdentity".into(),
            region: config.region().map(|r| r.to_string()).unwrap_or_default(),
            target: "the account of the credentials".into(),
            ok: true,
        },
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report_text(&report));
    }
    Ok(if report.incomplete() {
        EXIT_INCOMPLETE
    } else {
        EXIT_CLEAN
    })
}

fn confirm(plan: &Plan) -> anyhow::Result<bool> {
    if !io::stdin().is_terminal() {
        bail!("no terminal to confirm on: review the plan, then pass --yes to apply it");
    }
    eprint!(
        "\nApply this plan to account {} ({} identities)? [y/N] ",
        plan.account_id,
        plan.items.len()
    );
    io::stderr().flush().ok();
    let mut answer = String::new();
    io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("cannot read the answer")?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES"))
}

fn report_text(report: &ApplyReport) -> String {
    let mut out = String::from("\nApplied:\n");
    for item in &report.items {
        let after = item.after.as_deref().unwrap_or("not re-read");
        out.push_str(&format!(
            "\n{} {}: {} -> {}\n",
            item.region, item.identity, item.before, after
        ));
        if let Some(why) = &item.refused {
            out.push_str(&format!("  refused: {why}\n"));
        }
        for s in &item.steps {
            let (word, detail) = match &s.result {
                StepResult::Done(d) => ("done", d.as_str()),
                StepResult::Skipped(d) => ("already in place", d.as_str()),
                StepResult::Failed(d) => ("FAILED", d.as_str()),
                StepResult::Conflict(d) => ("CONFLICT", d.as_str()),
                StepResult::Manual(d) => ("by hand", d.as_str()),
                StepResult::NotRun => ("not run", "an earlier step did not succeed"),
            };
            out.push_str(&format!("  - {}: {word}: {detail}\n", s.step));
        }
    }
    out.push_str("\nAPI calls made:\n");
    for call in &report.calls {
        out.push_str(&format!(
            "  {} {} {}{}\n",
            call.action,
            call.region,
            call.target,
            if call.ok { "" } else { " (failed)" }
        ));
    }
    let total: u64 = report.api_calls.values().sum();
    let by_action: Vec<String> = report
        .api_calls
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    out.push_str(&format!(
        "requests sent, retries included: {total} ({})\n",
        by_action.join(", ")
    ));
    out
}

pub fn iam_policy(purpose: Purpose) -> anyhow::Result<u8> {
    println!("{}", serde_json::to_string_pretty(&iam::policy(purpose))?);
    Ok(EXIT_CLEAN)
}
