//! The plan's DNS records in the forms people paste: a table, a BIND zone-file fragment, Route 53
//! change batches (what `aws route53 change-resource-record-sets` takes), and Terraform
//! `aws_route53_record` resources. Records that only exist once `apply` creates the tokens are
//! named, not invented.

use super::plan::{HostedZone, Plan, Step};
use crate::dkim_records::{DnsRecord, RecordType};
use serde_json::json;
use std::fmt::Write;

/// DNS output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DnsFormat {
    /// Aligned columns for people.
    Table,
    /// A BIND zone-file fragment.
    Zone,
    /// A JSON object: each domain's Route 53 change batch (UPSERTs).
    Route53,
    /// Terraform `aws_route53_record` resources.
    Terraform,
}

/// Records of one domain, as the plan has them.
struct DomainRecords<'a> {
    domain: &'a str,
    region: &'a str,
    records: &'a [DnsRecord],
    zone: Option<&'a HostedZone>,
    /// The tokens do not exist yet: `apply` creates them.
    later: bool,
}

fn collect(plan: &Plan) -> Vec<DomainRecords<'_>> {
    let mut out = Vec::new();
    for item in &plan.items {
        for step in &item.steps {
            if let Step::PublishRecords {
                domain,
                records,
                from_new_tokens,
                hosted_zone,
            } = step
            {
                out.push(DomainRecords {
                    domain,
                    region: &item.region,
                    records,
                    zone: hosted_zone.as_ref(),
                    later: *from_new_tokens,
                });
            }
        }
    }
    out
}

/// Renders the plan's records.
pub fn render(plan: &Plan, format: DnsFormat) -> String {
    let groups = collect(plan);
    match format {
        DnsFormat::Table => table(&groups),
        DnsFormat::Zone => zone(&groups),
        DnsFormat::Route53 => route53(&groups),
        DnsFormat::Terraform => terraform(&groups),
    }
}

fn later_note(g: &DomainRecords) -> String {
    format!(
        "{} ({}): its tokens are created by `assure apply`; run `assure fix` again afterwards for its records",
        g.domain, g.region
    )
}

fn table(groups: &[DomainRecords]) -> String {
    let mut out = String::new();
    let rows: Vec<&DnsRecord> = groups.iter().flat_map(|g| g.records.iter()).collect();
    let name_w = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    if !rows.is_empty() {
        let _ = writeln!(
            out,
            "{:<name_w$}  {:<5}  {:>5}  VALUE",
            "NAME", "TYPE", "TTL"
        );
        for r in rows {
            let _ = writeln!(
                out,
                "{:<name_w$}  {:<5}  {:>5}  {}",
                r.name,
                r.rtype.as_str(),
                r.ttl,
                r.value
            );
        }
    }
    for g in groups.iter().filter(|g| g.later) {
        let _ = writeln!(out, "(later) {}", later_note(g));
    }
    out
}

/// Splits text into pieces of at most 255 bytes, never inside a character.
fn chunks_255(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let mut end = rest.len().min(255);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// TXT data as DNS character-strings of at most 255 bytes each, escaped for quoting.
fn txt_chunks(value: &str) -> Vec<String> {
    chunks_255(value)
        .into_iter()
        .map(|c| c.replace('\\', "\\\\").replace('"', "\\\""))
        .collect()
}

/// Record data as zone files and Route 53 write it: a CNAME target, or quoted TXT strings.
pub fn record_data(r: &DnsRecord) -> String {
    match r.rtype {
        RecordType::Cname => r.value.clone(),
        RecordType::Txt => txt_chunks(&r.value)
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The same domain can be an identity in several regions, each with its own tokens.
fn repeated(groups: &[DomainRecords], g: &DomainRecords) -> bool {
    groups
        .iter()
        .filter(|o| o.domain == g.domain && !o.later)
        .count()
        > 1
}

fn zone(groups: &[DomainRecords]) -> String {
    let mut out = String::from("; DKIM records for Amazon SES, proposed by assure\n");
    for g in groups {
        if g.later {
            let _ = writeln!(out, "; {}", later_note(g));
            continue;
        }
        let _ = writeln!(out, "; {} ({})", g.domain, g.region);
        for r in g.records {
            let data = match r.rtype {
                RecordType::Cname => format!("{}.", r.value),
                RecordType::Txt => record_data(r),
            };
            let _ = writeln!(
                out,
                "{}. {} IN {} {}",
                r.name,
                r.ttl,
                r.rtype.as_str(),
                data
            );
        }
    }
    out
}

/// One change batch per domain (a batch applies to one hosted zone).
pub fn route53_batch(domain: &str, records: &[DnsRecord]) -> serde_json::Value {
    let changes: Vec<_> = records
        .iter()
        .map(|r| {
            let value = record_data(r);
            json!({
                "Action": "UPSERT",
                "ResourceRecordSet": {
                    "Name": r.name,
                    "Type": r.rtype.as_str(),
                    "TTL": r.ttl,
                    "ResourceRecords": [{ "Value": value }]
                }
            })
        })
        .collect();
    json!({ "Comment": format!("DKIM records for {domain} (Amazon SES)"), "Changes": changes })
}

fn route53(groups: &[DomainRecords]) -> String {
    let mut batches = serde_json::Map::new();
    for g in groups.iter().filter(|g| !g.later && !g.records.is_empty()) {
        let key = if repeated(groups, g) {
            format!("{} ({})", g.domain, g.region)
        } else {
            g.domain.to_string()
        };
        batches.insert(key, route53_batch(g.domain, g.records));
    }
    let mut out =
        serde_json::to_string_pretty(&serde_json::Value::Object(batches)).unwrap_or_default();
    out.push('\n');
    out
}

/// A Terraform identifier from a name.
fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn hcl_string(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!("\"{escaped}\"")
}

fn terraform(groups: &[DomainRecords]) -> String {
    let mut out = String::from("# DKIM records for Amazon SES, proposed by assure\n");
    for g in groups {
        if g.later {
            let _ = writeln!(out, "\n# {}", later_note(g));
            continue;
        }
        let name = if repeated(groups, g) {
            ident(&format!("{}_{}", g.domain, g.region))
        } else {
            ident(g.domain)
        };
        let zone_ref = match g.zone {
            Some(z) => hcl_string(z.id.trim_start_matches("/hostedzone/")),
            None => {
                let _ = writeln!(
                    out,
                    "\n# The hosted zone is assumed to be {0}; change `name` if it is a parent zone.\ndata \"aws_route53_zone\" \"{1}\" {{\n  name         = {2}\n  private_zone = false\n}}",
                    g.domain,
                    name,
                    hcl_string(&format!("{}.", g.domain))
                );
                format!("data.aws_route53_zone.{name}.zone_id")
            }
        };
        for (i, r) in g.records.iter().enumerate() {
            // Route 53 wants long TXT values split into 255-byte strings, written as `""` joins.
            let value = match r.rtype {
                RecordType::Cname => hcl_string(&r.value),
                RecordType::Txt => hcl_string(&chunks_255(&r.value).join("\"\"")),
            };
            let _ = writeln!(
                out,
                "\nresource \"aws_route53_record\" \"dkim_{}_{}\" {{\n  zone_id = {}\n  name    = {}\n  type    = \"{}\"\n  ttl     = {}\n  records = [{}]\n}}",
                name,
                i + 1,
                zone_ref,
                hcl_string(&r.name),
                r.rtype.as_str(),
                r.ttl,
                value
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
