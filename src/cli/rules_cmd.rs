//! `assure rules` and `assure explain`: what the rules are and why.

use super::EXIT_CLEAN;
use super::args::{RulesArgs, RulesFormat};
use crate::rules;

pub fn list(args: RulesArgs) -> anyhow::Result<u8> {
    let metas: Vec<_> = rules::registry().iter().map(|r| r.meta()).collect();
    match args.format {
        RulesFormat::Json => {
            let rows: Vec<_> = metas
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "rule_id": m.id,
                        "title": m.title,
                        "risk": m.risk,
                        "service": m.service,
                        "categories": m.categories,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
        }
        RulesFormat::Table => {
            println!("{:<10} {:<6} {:<10} TITLE", "RULE", "SVC", "RISK");
            for m in metas {
                println!(
                    "{:<10} {:<6} {:<10} {}",
                    m.id,
                    m.service,
                    m.risk.as_str(),
                    m.title
                );
            }
            println!("\n`assure explain RULE` prints a rule's article.");
        }
    }
    Ok(EXIT_CLEAN)
}

pub fn explain(id: &str) -> anyhow::Result<u8> {
    let rule = rules::find(id).map_err(anyhow::Error::msg)?;
    print!("{}", rule.meta().article);
    Ok(EXIT_CLEAN)
}
