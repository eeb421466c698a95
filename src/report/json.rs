//! JSON: the stable contract, pretty-printed.

use super::{Render, RenderOptions};
use crate::engine::Report;
use std::io::{self, Write};

pub struct Json;

impl Render for Json {
    fn render(&self, report: &Report, _: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)
    }
}
