//! The writes of `patch-test apply` and `patch-test read`: a test with its items, and a
//! reading. Both are clinical records (append-only), written in the caller's write transaction.

use rusqlite::{params, Connection};

use crate::error::Result;
use crate::ids::{ClientId, FormulationId, GroupId, LotId, PatchTestId, ProductId, SubstanceId};

/// One item of a test to apply: what is applied (a product's formulation and lot, a substance,
/// a group or a series allergen), how, and its description for the audit event.
#[derive(Clone)]
pub struct NewItem {
    pub product: Option<ProductId>,
    pub formulation: Option<FormulationId>,
    pub lot: Option<LotId>,
    pub substance: Option<SubstanceId>,
    pub group: Option<GroupId>,
    pub series_allergen: Option<i64>,
    pub concentration: Option<String>,
    pub vehicle: Option<String>,
    /// The item (numbered from 1) this one is the irradiated twin of (photopatch).
    pub photo_of: Option<i64>,
    pub label: serde_json::Value,
}

/// Writes a test and its items, numbered from 1 in order; returns the test's id.
pub fn insert_test(
    conn: &Connection,
    client: ClientId,
    applied_at: &str,
    site: Option<&str>,
    actor: &str,
    items: &[NewItem],
) -> Result<PatchTestId> {
    conn.execute(
        "INSERT INTO patch_tests (client_id, applied_at, site, actor) VALUES (?1, ?2, ?3, ?4)",
        params![client, applied_at, site, actor],
    )?;
    let test = PatchTestId(conn.last_insert_rowid());
    let mut stmt = conn.prepare_cached(
        "INSERT INTO patch_test_items (test_id, item, product_id, formulation_id, lot_id, substance_id,
                                       group_id, series_allergen_id, concentration, vehicle, photo_of)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (n, r) in items.iter().enumerate() {
        stmt.execute(params![
            test,
            n as i64 + 1,
            r.product,
            r.formulation,
            r.lot,
            r.substance,
            r.group,
            r.series_allergen,
            r.concentration,
            r.vehicle,
            r.photo_of
        ])?;
    }
    Ok(test)
}

/// A reading of one item.
pub struct NewReading<'a> {
    pub item: i64,
    pub read_at: &'a str,
    pub hours: f64,
    pub grade: &'a str,
    pub note: Option<&'a str>,
    /// The reading this one corrects, with the reason.
    pub supersedes: Option<i64>,
    pub correction_reason: Option<&'a str>,
    pub actor: &'a str,
}

/// Writes a reading; returns its id.
pub fn insert_reading(conn: &Connection, r: &NewReading) -> Result<i64> {
    conn.execute(
        "INSERT INTO readings (item_id, read_at, hours, grade, note, supersedes, correction_reason, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![r.item, r.read_at, r.hours, r.grade, r.note, r.supersedes, r.correction_reason, r.actor],
    )?;
    Ok(conn.last_insert_rowid())
}
