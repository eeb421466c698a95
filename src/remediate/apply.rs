//! Applies a reviewed plan: checks it belongs to this account and that its identities have not
//! changed, runs each step only if its effect is not already in place (so a second apply changes
//! nothing), stops an identity at its first failure while the others carry on, logs every API
//! call, then re-reads the touched regions to show each identity's verdict before and after.

use super::plan::{Plan, PlanItem, Step};
use super::route53::{self, Published};
use crate::collect::pacing::{Caller, Metrics, Pacer, RetryPolicy};
use crate::collect::progress::Progress;
use crate::collect::ses::{DKIM_BATCH_SIZE, collect_region};
use crate::dkim_records::{self as dns, DnsRecord};
use crate::inventory::{AccountInventory, DkimAttributes, DkimStatus, Inventory, RegionSource};
use crate::rules::{self, RuleConfig};
use aws_config::{Region, SdkConfig};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How to apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Overwrite records that hold something else.
    pub force: bool,
    /// How long to wait for a Route 53 change to be in sync.
    pub route53_wait: Duration,
    pub rate: f64,
    pub retry: RetryPolicy,
}

/// What happened to one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", content = "detail", rename_all = "snake_case")]
pub enum StepResult {
    Done(String),
    /// Its effect was already in place: no change made.
    Skipped(String),
    Failed(String),
    /// A record with another value is in the way (and `--force` was not given).
    Conflict(String),
    /// For a person to do.
    Manual(String),
    /// Not attempted: an earlier step of the same identity did not succeed.
    NotRun,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    pub step: String,
    #[serde(flatten)]
    pub result: StepResult,
}

/// What happened to one identity.
#[derive(Debug, Clone, Serialize)]
pub struct ItemOutcome {
    pub region: String,
    pub identity: String,
    pub before: String,
    /// SES-001's verdict after applying (`STATUS REASON`), when it could be re-read.
    pub after: Option<String>,
    /// Why the identity was left alone, when it was.
    pub refused: Option<String>,
    pub steps: Vec<StepOutcome>,
}

/// One API request, as the apply report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    pub action: String,
    pub region: String,
    pub target: String,
    pub ok: bool,
}

#[derive(Debug, Serialize)]
pub struct ApplyReport {
    pub account_id: String,
    pub items: Vec<ItemOutcome>,
    pub calls: Vec<CallRecord>,
    /// Requests sent, retries included, by action.
    pub api_calls: BTreeMap<String, u64>,
}

impl ApplyReport {
    /// True when some step failed, conflicted, or an identity was refused.
    pub fn incomplete(&self) -> bool {
        self.items.iter().any(|i| {
            i.refused.is_some()
                || i.steps.iter().any(|s| {
                    matches!(
                        s.result,
                        StepResult::Failed(_) | StepResult::Conflict(_) | StepResult::NotRun
                    )
                })
        })
    }
}

type CallLog = Arc<Mutex<Vec<CallRecord>>>;

/// Shared by every region's task.
struct Shared {
    route53: aws_sdk_route53::Client,
    route53_pacer: Pacer,
    metrics: Metrics,
    policy: RetryPolicy,
    log: CallLog,
    opts: ApplyOptions,
    account: String,
    partition: String,
    rule_id: String,
}

impl Shared {
    fn log(&self, action: &str, region: &str, target: &str, ok: bool) {
        self.log.lock().expect("call log").push(CallRecord {
            action: action.to_string(),
            region: region.to_string(),
            target: target.to_string(),
            ok,
        });
    }
}

/// Applies `plan` with the session in `config` (the account was already checked).
pub async fn apply(plan: &Plan, config: &SdkConfig, opts: ApplyOptions) -> ApplyReport {
    let route53 = route53::client(config, &plan.partition);
    let shared = Arc::new(Shared {
        route53,
        // Route 53 allows five requests a second per account.
        route53_pacer: Pacer::new(5.0),
        metrics: Metrics::default(),
        policy: opts.retry.clone(),
        log: Arc::default(),
        opts,
        account: plan.account_id.clone(),
        partition: plan.partition.clone(),
        rule_id: plan.rule_id.clone(),
    });
    let mut by_region: BTreeMap<String, Vec<PlanItem>> = BTreeMap::new();
    for item in &plan.items {
        by_region
            .entry(item.region.clone())
            .or_default()
            .push(item.clone());
    }
    let mut tasks = Vec::new();
    for (region, items) in by_region {
        let client = aws_sdk_ses::Client::from_conf(
            aws_sdk_ses::config::Builder::from(config)
                .region(Region::new(region.clone()))
                .build(),
        );
        let shared = shared.clone();
        let planned = items.clone();
        let task =
            tokio::spawn(async move { apply_region(&client, &shared, &region, &items).await });
        tasks.push((planned, task));
    }
    let mut items = Vec::new();
    for (planned, task) in tasks {
        match task.await {
            Ok(outcomes) => items.extend(outcomes),
            // Whatever that region did is unknown: say so for each of its identities.
            Err(e) => items.extend(
                planned
                    .iter()
                    .map(|i| refused(i, &format!("the region's apply stopped: {e}"))),
            ),
        }
    }
    let calls = shared.log.lock().expect("call log").clone();
    ApplyReport {
        account_id: plan.account_id.clone(),
        items,
        calls,
        api_calls: shared.metrics.calls(),
    }
}

async fn apply_region(
    client: &aws_sdk_ses::Client,
    shared: &Shared,
    region: &str,
    items: &[PlanItem],
) -> Vec<ItemOutcome> {
    let pacer = Pacer::new(shared.opts.rate);
    let caller = Caller {
        pacer: &pacer,
        metrics: &shared.metrics,
        policy: &shared.policy,
    };
    let ctx = RegionCtx {
        client,
        caller: &caller,
        shared,
        region,
    };
    let names: Vec<String> = items.iter().map(|i| i.identity.clone()).collect();
    let current = match ctx.read(&names).await {
        Ok(c) => c,
        Err(e) => {
            let why = format!(
                "its current state could not be read: {} {}",
                e.code, e.message
            );
            return items.iter().map(|i| refused(i, &why)).collect();
        }
    };
    let mut outcomes = Vec::new();
    for item in items {
        let now = current.get(&dns::clean(&item.identity)).cloned().flatten();
        outcomes.push(ctx.apply_item(item, now).await);
    }
    // Re-read the whole region (addresses are judged through their domains) and judge again.
    let collected = collect_region(
        client,
        None,
        &caller,
        region,
        true,
        &Progress::new(false).region(region),
    )
    .await;
    shared.log(
        "ses:ListIdentities + ses:GetIdentityDkimAttributes",
        region,
        "re-read of the region to judge the result",
        collected.errors.is_empty(),
    );
    let mut inventory = Inventory::new(crate::collect::now_rfc3339());
    inventory.accounts.push(AccountInventory {
        account_id: shared.account.clone(),
        partition: shared.partition.clone(),
        region_source: RegionSource::Requested,
        regions: vec![collected],
    });
    let config = RuleConfig::default();
    let after: HashMap<String, String> = rules::find(&shared.rule_id)
        .map(|r| r.evaluate(&inventory, &config))
        .unwrap_or_default()
        .into_iter()
        .map(|f| {
            (
                dns::clean(&f.resource_id),
                format!("{} {}", f.status, f.reason),
            )
        })
        .collect();
    for outcome in &mut outcomes {
        outcome.after = after.get(&dns::clean(&outcome.identity)).cloned();
    }
    outcomes
}

fn refused(item: &PlanItem, why: &str) -> ItemOutcome {
    ItemOutcome {
        region: item.region.clone(),
        identity: item.identity.clone(),
        before: item.reason.clone(),
        after: None,
        refused: Some(why.to_string()),
        steps: Vec::new(),
    }
}

struct RegionCtx<'a> {
    client: &'a aws_sdk_ses::Client,
    caller: &'a Caller<'a>,
    shared: &'a Shared,
    region: &'a str,
}

impl RegionCtx<'_> {
    /// Current DKIM attributes by lower-cased name; `None` for an identity SES does not know.
    async fn read(
        &self,
        names: &[String],
    ) -> Result<HashMap<String, Option<DkimAttributes>>, crate::inventory::CollectError> {
        let mut out = HashMap::new();
        for batch in names.chunks(DKIM_BATCH_SIZE) {
            let answer = self
                .caller
                .call("ses:GetIdentityDkimAttributes", || {
                    self.client
                        .get_identity_dkim_attributes()
                        .set_identities(Some(batch.to_vec()))
                        .send()
                })
                .await;
            self.shared.log(
                "ses:GetIdentityDkimAttributes",
                self.region,
                &batch.join(","),
                answer.is_ok(),
            );
            let answer = answer?;
            let attrs: HashMap<String, &aws_sdk_ses::types::IdentityDkimAttributes> = answer
                .dkim_attributes
                .iter()
                .map(|(k, v)| (dns::clean(k), v))
                .collect();
            for name in batch {
                let key = dns::clean(name);
                let state = attrs.get(&key).and_then(|a| {
                    Some(DkimAttributes {
                        enabled: a.dkim_enabled,
                        status: DkimStatus::parse(a.dkim_verification_status.as_str())?,
                        tokens: a.dkim_tokens.clone().unwrap_or_default(),
                    })
                });
                out.insert(key, state);
            }
        }
        Ok(out)
    }

    async fn apply_item(&self, item: &PlanItem, now: Option<DkimAttributes>) -> ItemOutcome {
        let mut outcome = refused(item, "");
        outcome.refused = None;
        if let Some(before) = &item.before {
            // New tokens are this plan's own doing when it creates them.
            let makes_tokens = item
                .steps
                .iter()
                .any(|s| matches!(s, Step::CreateDkimTokens { .. }));
            let changed = match &now {
                None => Some(
                    "the identity no longer exists (or its DKIM state is unreadable)".to_string(),
                ),
                Some(cur)
                    if !makes_tokens
                        && !before.tokens.is_empty()
                        && cur.tokens != before.tokens =>
                {
                    Some("its DKIM tokens changed since the plan was made".to_string())
                }
                Some(_) => None,
            };
            if let Some(why) = changed {
                outcome.refused = Some(format!("{why}; make a new plan with `assure fix`"));
                return outcome;
            }
        }
        let mut state = now;
        let mut new_tokens: Option<Vec<String>> = None;
        let mut stopped = false;
        for step in &item.steps {
            let result = if stopped {
                StepResult::NotRun
            } else {
                self.run_step(step, &mut state, &mut new_tokens).await
            };
            if matches!(result, StepResult::Failed(_) | StepResult::Conflict(_)) {
                stopped = true;
            }
            outcome.steps.push(StepOutcome {
                step: step.describe(),
                result,
            });
        }
        outcome
    }

    async fn run_step(
        &self,
        step: &Step,
        state: &mut Option<DkimAttributes>,
        new_tokens: &mut Option<Vec<String>>,
    ) -> StepResult {
        match step {
            Step::CreateDkimTokens { domain } => {
                let usable = state.as_ref().is_some_and(|s| {
                    !s.tokens.is_empty()
                        && !matches!(s.status, DkimStatus::NotStarted | DkimStatus::Failed)
                });
                if usable {
                    return StepResult::Skipped(
                        "the domain already has tokens SES is checking".into(),
                    );
                }
                let answer = self
                    .caller
                    .call("ses:VerifyDomainDkim", || {
                        self.client.verify_domain_dkim().domain(domain).send()
                    })
                    .await;
                self.shared
                    .log("ses:VerifyDomainDkim", self.region, domain, answer.is_ok());
                match answer {
                    Ok(out) => {
                        let n = out.dkim_tokens.len();
                        *new_tokens = Some(out.dkim_tokens);
                        // The flag may have moved with it: re-read before deciding on signing.
                        *state = match self.read(std::slice::from_ref(domain)).await {
                            Ok(mut fresh) => fresh.remove(&dns::clean(domain)).flatten(),
                            // Unknown: the signing step then asks SES rather than assume.
                            Err(_) => None,
                        };
                        StepResult::Done(format!("{n} tokens; SES now looks for their records"))
                    }
                    Err(e) => StepResult::Failed(format!("{} {}", e.code, e.message)),
                }
            }
            Step::PublishRecords {
                domain,
                records,
                from_new_tokens,
                hosted_zone,
            } => {
                let current_tokens = new_tokens
                    .clone()
                    .or_else(|| state.as_ref().map(|s| s.tokens.clone()))
                    .unwrap_or_default();
                let records: Vec<DnsRecord> = if *from_new_tokens {
                    dns::easy_dkim_records(domain, self.region, &current_tokens)
                } else {
                    records.clone()
                };
                if records.is_empty() {
                    return StepResult::Failed("there are no tokens to publish records for".into());
                }
                if let Err(why) = check_records(domain, self.region, &current_tokens, &records) {
                    return StepResult::Failed(why);
                }
                match hosted_zone {
                    Some(zone) if !records.iter().any(DnsRecord::needs_input) => {
                        self.publish(&zone.id, domain, &records).await
                    }
                    _ => StepResult::Manual(format!(
                        "publish in {domain}'s DNS: {}",
                        records
                            .iter()
                            .map(|r| format!("{} {} {}", r.name, r.rtype.as_str(), r.value))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )),
                }
            }
            Step::EnableSigning { identity } => {
                if state.as_ref().is_some_and(|s| s.enabled) {
                    return StepResult::Skipped("signing is already on".into());
                }
                let answer = self
                    .caller
                    .call("ses:SetIdentityDkimEnabled", || {
                        self.client
                            .set_identity_dkim_enabled()
                            .identity(identity)
                            .dkim_enabled(true)
                            .send()
                    })
                    .await;
                self.shared.log(
                    "ses:SetIdentityDkimEnabled",
                    self.region,
                    identity,
                    answer.is_ok(),
                );
                match answer {
                    Ok(_) => {
                        if let Some(s) = state.as_mut() {
                            s.enabled = true;
                        }
                        StepResult::Done("signing switched on".into())
                    }
                    Err(e) => StepResult::Failed(format!("{} {}", e.code, e.message)),
                }
            }
            Step::Manual { instruction } => StepResult::Manual(instruction.clone()),
        }
    }

    /// UPSERTs what is missing; stops at a record holding something else unless forced.
    async fn publish(&self, zone_id: &str, domain: &str, records: &[DnsRecord]) -> StepResult {
        let r53 = Caller {
            pacer: &self.shared.route53_pacer,
            metrics: &self.shared.metrics,
            policy: &self.shared.policy,
        };
        let mut wanted = Vec::new();
        let mut overwritten = Vec::new();
        for record in records {
            let found = route53::existing(&self.shared.route53, &r53, zone_id, &record.name).await;
            self.shared.log(
                "route53:ListResourceRecordSets",
                "global",
                &record.name,
                found.is_ok(),
            );
            let found = match found {
                Ok(f) => f,
                Err(e) => return StepResult::Failed(format!("{} {}", e.code, e.message)),
            };
            match route53::compare(record, &found) {
                Published::Same => {}
                Published::Missing => wanted.push(record.clone()),
                Published::Conflict(what) if self.shared.opts.force => {
                    overwritten.push(format!("{} (was {what})", record.name));
                    wanted.push(record.clone());
                }
                Published::Conflict(what) => {
                    return StepResult::Conflict(format!(
                        "{} already holds {what}; nothing was changed (--force overwrites it)",
                        record.name
                    ));
                }
            }
        }
        if wanted.is_empty() {
            return StepResult::Skipped("the records are already published".into());
        }
        let answer = route53::upsert(&self.shared.route53, &r53, zone_id, domain, &wanted).await;
        self.shared.log(
            "route53:ChangeResourceRecordSets",
            "global",
            &format!("{zone_id} {domain}"),
            answer.is_ok(),
        );
        match answer {
            Ok((change, mut insync)) => {
                // Bounded wait; a failed status check does not undo the change.
                let deadline = std::time::Instant::now() + self.shared.opts.route53_wait;
                while !insync && std::time::Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    let status = route53::in_sync(&self.shared.route53, &r53, &change).await;
                    self.shared
                        .log("route53:GetChange", "global", &change, status.is_ok());
                    match status {
                        Ok(done) => insync = done,
                        Err(_) => break,
                    }
                }
                let mut text = format!("{} record(s) UPSERTed (change {change}", wanted.len());
                text.push_str(if insync {
                    ", in sync)"
                } else {
                    ", not yet in sync)"
                });
                if !overwritten.is_empty() {
                    text.push_str(&format!("; overwrote {}", overwritten.join(", ")));
                }
                StepResult::Done(text)
            }
            Err(e) => StepResult::Failed(format!("{} {}", e.code, e.message)),
        }
    }
}

/// A plan file is reviewed by a person, but it is still input: only DKIM records of the item's
/// own domain are published, and Easy DKIM CNAMEs must match the domain's current tokens.
fn check_records(
    domain: &str,
    region: &str,
    tokens: &[String],
    records: &[DnsRecord],
) -> Result<(), String> {
    let suffix = format!("._domainkey.{}", dns::clean(domain));
    let expected = dns::easy_dkim_records(domain, region, tokens);
    for r in records {
        if !dns::clean(&r.name).ends_with(&suffix) {
            return Err(format!(
                "{} is not a DKIM record of {domain}: refusing to publish it",
                r.name
            ));
        }
        if r.rtype == dns::RecordType::Cname && !tokens.is_empty() && !expected.contains(r) {
            return Err(format!(
                "{} -> {} does not match {domain}'s current tokens; make a new plan with `assure fix`",
                r.name, r.value
            ));
        }
    }
    Ok(())
}
