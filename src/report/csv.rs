//! CSV: one finding a row, with the evidence as a JSON object in the last column.

use super::{Render, RenderOptions};
use crate::engine::Report;
use std::io::{self, Write};

pub struct Csv;

const HEADER: [&str; 11] = [
    "rule_id",
    "status",
    "reason",
    "risk",
    "account_id",
    "region",
    "resource_type",
    "resource_id",
    "resource_arn",
    "message",
    "evidence",
];

impl Render for Csv {
    fn render(&self, report: &Report, _: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        for f in &report.findings {
            let evidence = serde_json::to_string(&f.evidence)?;
            w.write_record([
                f.rule_id,
                f.status.as_str(),
                f.reason,
                f.risk.as_str(),
                &f.account_id,
                &f.region,
                f.resource_type.as_str(),
                &f.resource_id,
                &f.resource_arn,
                &f.message,
                &evidence,
            ])?;
        }
        w.flush()
    }
}
