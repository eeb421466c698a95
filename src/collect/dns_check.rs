//! The DNS check: looks up every DKIM record SES expects for each domain identity with tokens,
//! with a real resolver, and stores what DNS answered in the inventory (so snapshots keep it).
//! Lookups are cached for the run, run at most `concurrency` at a time, and are bounded in time.

use crate::dkim_records::{self, DnsRecord, RecordType};
use crate::inventory::{DnsObservation, IdentityKind, Inventory};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ProtocolConfig, ResolverConfig,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType as DnsType};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How to look things up.
#[derive(Debug, Clone)]
pub struct DnsOptions {
    /// A resolver to ask; the system's (`/etc/resolv.conf`) when absent.
    pub resolver: Option<SocketAddr>,
    pub timeout: Duration,
    pub concurrency: usize,
}

impl Default for DnsOptions {
    fn default() -> Self {
        DnsOptions {
            resolver: None,
            timeout: Duration::from_secs(3),
            concurrency: 16,
        }
    }
}

/// The observations still to be answered for a domain's records.
pub fn expectations(records: &[DnsRecord]) -> Vec<DnsObservation> {
    records
        .iter()
        .map(|r| DnsObservation {
            name: r.name.clone(),
            expected_type: r.rtype.as_str().to_string(),
            expected: match r.rtype {
                RecordType::Cname => r.value.clone(),
                RecordType::Txt => "p=<public key>".to_string(),
            },
            found_type: None,
            found: Vec::new(),
            error: None,
        })
        .collect()
}

fn resolver(opts: &DnsOptions) -> Result<TokioResolver, String> {
    let mut builder = match opts.resolver {
        Some(addr) => {
            let mut udp = ConnectionConfig::new(ProtocolConfig::Udp);
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::new(ProtocolConfig::Tcp);
            tcp.port = addr.port();
            let server = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
            TokioResolver::builder_with_config(
                ResolverConfig::from_parts(None, vec![], vec![server]),
                TokioRuntimeProvider::default(),
            )
        }
        None => TokioResolver::builder_tokio()
            .map_err(|e| format!("cannot read the system's DNS settings: {e}"))?,
    };
    let options = builder.options_mut();
    options.timeout = opts.timeout;
    options.attempts = 1;
    builder
        .build()
        .map_err(|e| format!("cannot set up the DNS resolver: {e}"))
}

/// What one name holds, as far as DKIM cares.
#[derive(Debug, Clone)]
struct Answer {
    found_type: Option<String>,
    found: Vec<String>,
    error: Option<String>,
}

fn describe_error(e: &NetError) -> String {
    match e {
        NetError::Timeout => "TIMEOUT".into(),
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => "SERVFAIL".into(),
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => "REFUSED".into(),
        NetError::Dns(DnsError::ResponseCode(code)) => code.to_string().to_ascii_uppercase(),
        other => other.to_string(),
    }
}

async fn lookup(
    resolver: &TokioResolver,
    name: &str,
    qtype: DnsType,
) -> Result<Vec<String>, NetError> {
    match resolver.lookup(format!("{name}."), qtype).await {
        Ok(answer) => Ok(answer
            .answers()
            .iter()
            .filter(|r| r.record_type() == qtype)
            .map(|r| match &r.data {
                RData::CNAME(target) => dkim_records::clean(&target.to_string()),
                other => other.to_string(),
            })
            .collect()),
        Err(e) if e.is_no_records_found() => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Looks a name up as the expected type first; when nothing is there, checks for the other type
/// (a TXT where the CNAME must be is a conflict, not a missing record).
async fn answer(resolver: &TokioResolver, name: &str, expected: &str) -> Answer {
    let (first, second) = if expected == "TXT" {
        (DnsType::TXT, DnsType::CNAME)
    } else {
        (DnsType::CNAME, DnsType::TXT)
    };
    let fail = |e: NetError| Answer {
        found_type: None,
        found: Vec::new(),
        error: Some(describe_error(&e)),
    };
    match lookup(resolver, name, first).await {
        Err(e) => fail(e),
        Ok(found) if !found.is_empty() => Answer {
            found_type: Some(first.to_string()),
            found,
            error: None,
        },
        Ok(_) => match lookup(resolver, name, second).await {
            Err(e) => fail(e),
            Ok(found) => Answer {
                found_type: (!found.is_empty()).then(|| second.to_string()),
                found,
                error: None,
            },
        },
    }
}

/// Checks every domain identity with tokens (replicas excepted: they use their parent's records).
/// Fails only when no resolver can be set up.
pub async fn check(inventory: &mut Inventory, opts: &DnsOptions) -> Result<usize, String> {
    let resolver = resolver(opts)?;
    // What to look up, per identity, and each distinct (name, type) once.
    let mut wanted: HashMap<(String, String), Option<Answer>> = HashMap::new();
    for account in &mut inventory.accounts {
        for region in &mut account.regions {
            let region_name = region.region.clone();
            for identity in &mut region.identities {
                let Some(dkim) = identity.dkim.as_ref().filter(|d| !d.tokens.is_empty()) else {
                    continue;
                };
                let details = identity.details.as_deref();
                if identity.kind != IdentityKind::Domain
                    || details.and_then(|d| d.replica_of()).is_some()
                {
                    continue;
                }
                let records = dkim_records::expected_records(
                    &identity.name,
                    &region_name,
                    &dkim.tokens,
                    details,
                );
                let observations = expectations(&records);
                for o in &observations {
                    wanted.insert((o.name.clone(), o.expected_type.clone()), None);
                }
                identity.dns = Some(observations);
            }
        }
    }
    let limit = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (name, expected) in wanted.keys().cloned() {
        let (resolver, limit) = (resolver.clone(), limit.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let found = answer(&resolver, &name, &expected).await;
            ((name, expected), found)
        });
    }
    let lookups = wanted.len();
    while let Some(done) = tasks.join_next().await {
        if let Ok((key, found)) = done {
            wanted.insert(key, Some(found));
        }
    }
    for identity in inventory
        .accounts
        .iter_mut()
        .flat_map(|a| a.regions.iter_mut())
        .flat_map(|r| r.identities.iter_mut())
    {
        for o in identity.dns.iter_mut().flatten() {
            match wanted
                .get(&(o.name.clone(), o.expected_type.clone()))
                .cloned()
                .flatten()
            {
                Some(a) => {
                    o.found_type = a.found_type;
                    o.found = a.found;
                    o.error = a.error;
                }
                None => o.error = Some("the lookup did not finish".into()),
            }
        }
    }
    Ok(lookups)
}
