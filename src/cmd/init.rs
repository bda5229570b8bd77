//! `init`: create or upgrade the database.

use crate::db::InitReport;
use crate::error::Result;
use crate::output::Output;

pub fn print(out: &Output, report: &InitReport) -> Result<()> {
    let r = &report.reference;
    let what = if report.created {
        format!("created {}", report.path)
    } else if let Some(from) = report.upgraded_from {
        format!(
            "upgraded {} from schema {from} to {}",
            report.path, report.schema_version
        )
    } else {
        format!(
            "{} is up to date (schema {})",
            report.path, report.schema_version
        )
    };
    let human = format!(
        "{what}\nbuilt-in reference: {} substances, {} identifiers, {} groups, {} restrictions added\n",
        r.substances, r.identifiers, r.groups, r.restrictions
    );
    out.document(report, &human)
}
