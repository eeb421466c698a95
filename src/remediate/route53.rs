//! Route 53: finding the public hosted zone of a domain, reading what is already published,
//! UPSERTing DKIM records and waiting (bounded) until the change is in sync. Never deletes.

use super::dns_formats::record_data;
use super::plan::HostedZone;
use crate::collect::pacing::Caller;
use crate::dkim_records::{self as dns, DnsRecord, RecordType};
use crate::inventory::{CollectError, ErrorKind};
use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ChangeStatus, ResourceRecord, ResourceRecordSet, RrType,
};

/// Every public hosted zone of the account.
pub async fn public_zones(
    client: &Client,
    caller: &Caller<'_>,
) -> Result<Vec<HostedZone>, CollectError> {
    let mut zones = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = caller
            .call("route53:ListHostedZones", || {
                client.list_hosted_zones().set_marker(marker.clone()).send()
            })
            .await?;
        zones.extend(
            page.hosted_zones()
                .iter()
                .filter(|z| !z.config().is_some_and(|c| c.private_zone()))
                .map(|z| HostedZone {
                    id: z.id().trim_start_matches("/hostedzone/").to_string(),
                    name: dns::clean(z.name()),
                }),
        );
        match page
            .next_marker()
            .filter(|m| page.is_truncated() && Some(*m) != marker.as_deref())
        {
            Some(next) => marker = Some(next.to_string()),
            None => break,
        }
    }
    Ok(zones)
}

/// What is published at `name` in the zone: (type, values), values without quotes or dots.
pub async fn existing(
    client: &Client,
    caller: &Caller<'_>,
    zone_id: &str,
    name: &str,
) -> Result<Vec<(String, Vec<String>)>, CollectError> {
    let page = caller
        .call("route53:ListResourceRecordSets", || {
            client
                .list_resource_record_sets()
                .hosted_zone_id(zone_id)
                .start_record_name(name)
                .max_items(10)
                .send()
        })
        .await?;
    Ok(page
        .resource_record_sets()
        .iter()
        .filter(|rrs| dns::clean(rrs.name()) == dns::clean(name))
        .map(|rrs| {
            let values = rrs
                .resource_records()
                .iter()
                .map(|r| normalize_value(r.value()))
                .collect();
            (rrs.r#type().as_str().to_string(), values)
        })
        .collect())
}

/// Compares record data as DNS does: TXT strings joined without their quotes (case kept: keys
/// are base64); names without the trailing dot, in any case.
pub fn normalize_value(v: &str) -> String {
    if !v.starts_with('"') {
        return dns::clean(v);
    }
    let mut out = String::new();
    let mut in_quotes = false;
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_quotes => out.extend(chars.next()),
            '"' => in_quotes = !in_quotes,
            c if in_quotes => out.push(c),
            _ => {}
        }
    }
    out
}

/// How a wanted record relates to what is published.
#[derive(Debug, PartialEq, Eq)]
pub enum Published {
    Missing,
    Same,
    /// Something else is there: (type, values).
    Conflict(String),
}

/// Judges one wanted record against what is at its name.
pub fn compare(wanted: &DnsRecord, found: &[(String, Vec<String>)]) -> Published {
    if found.is_empty() {
        return Published::Missing;
    }
    let want = match wanted.rtype {
        RecordType::Cname => dns::clean(&wanted.value),
        RecordType::Txt => wanted.value.clone(),
    };
    if found
        .iter()
        .any(|(t, values)| t == wanted.rtype.as_str() && values.len() == 1 && values[0] == want)
    {
        return Published::Same;
    }
    let what: Vec<String> = found
        .iter()
        .map(|(t, v)| format!("{t} {}", v.join(" ")))
        .collect();
    Published::Conflict(what.join("; "))
}

/// The Route 53 client: a global service, served from one region per partition.
pub fn client(config: &aws_config::SdkConfig, partition: &str) -> Client {
    let region = if partition == "aws-us-gov" {
        "us-gov-west-1"
    } else {
        "us-east-1"
    };
    Client::from_conf(
        aws_sdk_route53::config::Builder::from(config)
            .region(aws_config::Region::new(region))
            .build(),
    )
}

/// UPSERTs `records` in one change batch. Returns the change ID and whether it is in sync.
pub async fn upsert(
    client: &Client,
    caller: &Caller<'_>,
    zone_id: &str,
    domain: &str,
    records: &[DnsRecord],
) -> Result<(String, bool), CollectError> {
    let batch = build_batch(domain, records).map_err(|e| CollectError {
        action: "route53:ChangeResourceRecordSets".into(),
        code: "InvalidChangeBatch".into(),
        kind: ErrorKind::MalformedResponse,
        message: e,
        attempts: 0,
    })?;
    let out = caller
        .call("route53:ChangeResourceRecordSets", || {
            client
                .change_resource_record_sets()
                .hosted_zone_id(zone_id)
                .change_batch(batch.clone())
                .send()
        })
        .await?;
    Ok(match out.change_info() {
        Some(info) => (
            info.id().trim_start_matches("/change/").to_string(),
            *info.status() == ChangeStatus::Insync,
        ),
        None => (String::new(), false),
    })
}

/// Whether a change is in sync yet (`route53:GetChange`).
pub async fn in_sync(
    client: &Client,
    caller: &Caller<'_>,
    change_id: &str,
) -> Result<bool, CollectError> {
    let got = caller
        .call("route53:GetChange", || {
            client.get_change().id(change_id).send()
        })
        .await?;
    Ok(got
        .change_info()
        .is_some_and(|c| *c.status() == ChangeStatus::Insync))
}

/// The SDK's change batch: the same records and quoting as the `route53` DNS format.
fn build_batch(domain: &str, records: &[DnsRecord]) -> Result<ChangeBatch, String> {
    let mut changes = Vec::new();
    for record in records {
        let data = ResourceRecord::builder()
            .value(record_data(record))
            .build()
            .map_err(|e| e.to_string())?;
        let rrs = ResourceRecordSet::builder()
            .name(&record.name)
            .r#type(match record.rtype {
                RecordType::Cname => RrType::Cname,
                RecordType::Txt => RrType::Txt,
            })
            .ttl(i64::from(record.ttl))
            .resource_records(data)
            .build()
            .map_err(|e| e.to_string())?;
        changes.push(
            Change::builder()
                .action(ChangeAction::Upsert)
                .resource_record_set(rrs)
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    ChangeBatch::builder()
        .comment(format!("DKIM records for {domain} (Amazon SES)"))
        .set_changes(Some(changes))
        .build()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cname(name: &str, value: &str) -> DnsRecord {
        DnsRecord {
            name: name.into(),
            rtype: RecordType::Cname,
            value: value.into(),
            ttl: 1800,
        }
    }

    #[test]
    fn compares_published_records() {
        let want = cname("t._domainkey.example.com", "t.dkim.amazonses.com");
        assert_eq!(compare(&want, &[]), Published::Missing);
        let same = vec![(
            "CNAME".to_string(),
            vec![normalize_value("T.dkim.amazonses.com.")],
        )];
        assert_eq!(compare(&want, &same), Published::Same);
        let other = vec![(
            "CNAME".to_string(),
            vec!["t.dkim.eu-south-1.amazonses.com".to_string()],
        )];
        assert!(
            matches!(compare(&want, &other), Published::Conflict(s) if s.contains("eu-south-1"))
        );
        let txt = vec![("TXT".to_string(), vec![normalize_value("\"v=spf1 -all\"")])];
        assert!(matches!(compare(&want, &txt), Published::Conflict(s) if s.starts_with("TXT")));
    }

    #[test]
    fn txt_values_lose_their_quotes() {
        assert_eq!(
            normalize_value(r#""v=DKIM1; " "p=aBc\"d""#),
            "v=DKIM1; p=aBc\"d"
        );
    }
}
