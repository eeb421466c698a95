//! Report: renders a [`Report`] in one output format. Each format is a small module behind the
//! [`Render`] trait; adding one means a module and a line in [`Format::renderer`].

mod csv;
mod json;
mod table;

use crate::engine::Report;
use std::io::{self, Write};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for a terminal, with a summary at the end.
    Table,
    /// The full JSON contract: `{schema_version, summary, findings}`.
    Json,
    /// One finding a row, for spreadsheets.
    Csv,
}

/// Options that only some formats use.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colours (the CLI enables them only for a terminal).
    pub color: bool,
    /// List PASS findings in the table too.
    pub show_pass: bool,
}

/// One output format.
pub trait Render {
    fn render(&self, report: &Report, opts: RenderOptions, out: &mut dyn Write) -> io::Result<()>;
}

impl Format {
    pub fn renderer(self) -> &'static dyn Render {
        match self {
            Format::Table => &table::Table,
            Format::Json => &json::Json,
            Format::Csv => &csv::Csv,
        }
    }
}

/// Renders `report` in `format`.
pub fn render(
    report: &Report,
    format: Format,
    opts: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    format.renderer().render(report, opts, out)
}
