//! Table: aligned columns for a person at a terminal, non-passing findings first in mind, then the
//! summary by status and by region, and what the run cost.

use super::{Render, RenderOptions};
use crate::engine::Report;
use crate::findings::{Finding, Status};
use std::io::{self, Write};

pub struct Table;

const HEADERS: [&str; 8] = [
    "STATUS", "RULE", "RISK", "REGION", "TYPE", "IDENTITY", "REASON", "MESSAGE",
];

fn paint(status: Status, text: &str, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match status {
        Status::Pass => "32",
        Status::Fail => "1;31",
        Status::Error => "33",
        Status::Info => "36",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn cells(f: &Finding) -> [&str; 8] {
    [
        f.status.as_str(),
        f.rule_id,
        f.risk.as_str(),
        &f.region,
        f.resource_type.as_str(),
        &f.resource_id,
        f.reason,
        &f.message,
    ]
}

impl Render for Table {
    fn render(&self, report: &Report, opts: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        let shown: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| opts.show_pass || f.status != Status::Pass)
            .collect();
        let mut widths = HEADERS.map(str::len);
        for f in &shown {
            for (w, c) in widths.iter_mut().zip(cells(f)) {
                *w = (*w).max(c.chars().count());
            }
        }
        if !shown.is_empty() {
            let header: Vec<String> = HEADERS
                .iter()
                .zip(widths)
                .map(|(h, w)| format!("{h:<w$}"))
                .collect();
            writeln!(out, "{}", header.join("  ").trim_end())?;
            for f in &shown {
                let row: Vec<String> = cells(f)
                    .iter()
                    .zip(widths)
                    .enumerate()
                    .map(|(i, (c, w))| {
                        let padded = format!("{c:<w$}");
                        if i == 0 {
                            paint(f.status, &padded, opts.color)
                        } else {
                            padded
                        }
                    })
                    .collect();
                writeln!(out, "{}", row.join("  ").trim_end())?;
            }
        }
        let s = &report.summary;
        let hidden = report.findings.len() - shown.len();
        if hidden > 0 {
            writeln!(
                out,
                "({hidden} PASS findings not listed; --show-pass lists them)"
            )?;
        }
        writeln!(out)?;
        let totals: Vec<String> = Status::ALL
            .iter()
            .map(|st| paint(*st, &format!("{} {}", s.by_status.get(*st), st), opts.color))
            .collect();
        writeln!(
            out,
            "{}: {} | {} identities, {} regions, account {} | mode {}",
            s.rules.join(", "),
            totals.join(", "),
            s.identities,
            s.by_region.len(),
            s.accounts.join(", "),
            s.mode
        )?;
        writeln!(
            out,
            "{:<16} {:<12} {:>10} {:>6} {:>6} {:>6} {:>6}",
            "REGION", "STATE", "IDENTITIES", "PASS", "FAIL", "ERROR", "INFO"
        )?;
        for (region, r) in &s.by_region {
            writeln!(
                out,
                "{:<16} {:<12} {:>10} {:>6} {:>6} {:>6} {:>6}",
                region,
                r.state,
                r.identities,
                r.counts.pass,
                r.counts.fail,
                r.counts.error,
                r.counts.info
            )?;
        }
        if s.source == "snapshot" {
            writeln!(
                out,
                "source: snapshot collected {}; no API calls made",
                s.collected_at
            )?;
        } else {
            let calls: Vec<String> = s
                .api_calls
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            writeln!(
                out,
                "API calls: {} ({}), throttled {}, {:.1} s",
                s.api_calls_total,
                calls.join(", "),
                s.throttled,
                s.duration_ms as f64 / 1000.0
            )?;
        }
        Ok(())
    }
}
