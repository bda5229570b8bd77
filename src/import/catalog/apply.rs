//! Products into the catalog: each assembled product's ingredients resolved to substances,
//! planned against the catalog by fingerprint (new, changed, unchanged) and written through
//! `db::import` inside the import's one transaction, every change recorded in the batch.

use std::collections::{BTreeSet, HashMap};

use rusqlite::Connection;

use super::super::resolve::Index;
use super::group::ProductDecl;
use super::items::{Item, Resolutions};
use super::memo::Memo;
use super::report::{CatalogReport, Warnings};
use super::CatalogImport;
use crate::db::catalog::{self as cat, Kind};
use crate::db::import::{self as dbi, Change, IngredientInsert, ProductFields};
use crate::error::Result;
use crate::ident;
use crate::ids::{FormulationId, SubstanceId};
use crate::screening::World;

/// A product as the catalog holds it, and its current formulation (id, version, fingerprint).
pub(super) type Existing = (
    Option<cat::ProductRow>,
    Option<(FormulationId, i64, String)>,
);

pub struct Applier<'a> {
    pub conn: &'a Connection,
    pub job: &'a CatalogImport,
    pub file_name: &'a str,
    pub at: &'a str,
    pub index: Index,
    pub world: World,
    pub report: CatalogReport,
    pub warnings: Warnings,
    /// The batch this import is recorded as; `None` on a dry run.
    pub batch: Option<i64>,
    /// Whether products are written (not when rows were rejected without --skip-invalid).
    pub write: bool,
    pub label: bool,
    pub(super) matched: BTreeSet<SubstanceId>,
    pub(super) unverified: BTreeSet<SubstanceId>,
    supplier_ids: HashMap<String, i64>,
    /// Parsing by distinct value (see `memo`).
    pub memo: Memo,
    pub(super) resolutions: Resolutions,
    /// The batch's changes not yet written (see `record`).
    changes: Vec<dbi::ChangeRecord>,
}

impl<'a> Applier<'a> {
    pub fn new(
        conn: &'a Connection,
        job: &'a CatalogImport,
        file_name: &'a str,
        at: &'a str,
        world: World,
    ) -> Result<Self> {
        Ok(Applier {
            conn,
            job,
            file_name,
            at,
            index: Index::load(conn)?,
            world,
            report: CatalogReport::default(),
            warnings: Warnings::default(),
            batch: None,
            write: true,
            label: false,
            matched: BTreeSet::new(),
            unverified: BTreeSet::new(),
            supplier_ids: HashMap::new(),
            memo: Memo::default(),
            resolutions: Resolutions::default(),
            changes: Vec::new(),
        })
    }

    /// Resolves, checks and (unless only checking) writes one product.
    pub fn product(&mut self, mut p: ProductDecl) -> Result<()> {
        let mut items = Vec::with_capacity(p.items.len());
        for (line, decl) in std::mem::take(&mut p.items) {
            match self.resolve(line, decl) {
                Ok(item) => items.push(item),
                Err(r) => p.errors.push(r),
            }
        }
        // The fingerprint of every declared item: when one does not resolve, the product is
        // rejected and the fingerprint not used.
        let fp = std::mem::take(&mut p.fingerprint);
        let existing = self.existing(&p)?;
        if p.errors.is_empty() {
            self.check_lots(&mut p, &existing, &fp)?;
        }
        if !p.errors.is_empty() {
            self.report.products.rejected += 1;
            if self.job.skip_invalid {
                let message = format!(
                    "product {:?} ({}) not imported: it has invalid rows",
                    p.code,
                    p.lines()
                );
                self.warnings.warn(p.first_line, "not-imported", message);
            }
            self.report.rejected.append(&mut p.errors);
            return Ok(());
        }
        for (line, kind, message) in std::mem::take(&mut p.notes) {
            self.warnings.warn(line, kind, message);
        }
        for item in &items {
            for w in &item.resolution().warnings {
                self.warnings.warn(item.line, "identity", w.clone());
            }
        }
        self.warn_restricted(&p, &items);
        if self.write {
            self.apply(&p, &items, existing, &fp)?;
        }
        Ok(())
    }

    fn supplier(&mut self, name: &str) -> Result<i64> {
        let norm = ident::normalize_name(name);
        if let Some(id) = self.supplier_ids.get(&norm) {
            return Ok(*id);
        }
        let id = cat::supplier_id_or_create(self.conn, name)?;
        self.supplier_ids.insert(norm, id);
        Ok(id)
    }

    /// The product and its current formulation (id, version, fingerprint) as the catalog holds them.
    fn existing(&self, p: &ProductDecl) -> Result<Existing> {
        let supplier = match self.supplier_ids.get(&ident::normalize_name(&p.supplier)) {
            Some(id) => Some(*id),
            None => cat::supplier_id(self.conn, &p.supplier)?,
        };
        let product = match supplier {
            Some(s) => cat::find_product(self.conn, s, &p.code)?,
            None => None,
        };
        let current = match &product {
            Some(row) => cat::current_formulation(self.conn, row.id)?,
            None => None,
        };
        Ok((product, current))
    }

    /// Notes a change for the batch (none on a dry run); they are written `CHANGE_ROWS` at a
    /// time, the rest by `flush_changes` when the import ends.
    fn record(&mut self, change: Change, row: i64, before: Option<&str>) -> Result<()> {
        if self.batch.is_some() {
            self.changes.push((change, row, before.map(str::to_string)));
            if self.changes.len() >= dbi::CHANGE_ROWS {
                self.flush_changes()?;
            }
        }
        Ok(())
    }

    /// Writes the changes noted and not yet written.
    pub(super) fn flush_changes(&mut self) -> Result<()> {
        if let Some(batch) = self.batch {
            dbi::record_changes(self.conn, batch, &self.changes)?;
        }
        self.changes.clear();
        Ok(())
    }

    /// The plan for a product (new, changed, unchanged by fingerprint), applied.
    fn apply(
        &mut self,
        p: &ProductDecl,
        items: &[Item],
        existing: Existing,
        fp: &str,
    ) -> Result<()> {
        let supplier = self.supplier(&p.supplier)?;
        let mut new = false;
        let mut changed = false;
        let product = match &existing.0 {
            None => {
                let kind = p.kind.or(self.job.kind).unwrap_or(Kind::Pigment);
                let name = p.name.clone().unwrap_or_else(|| p.code.clone());
                let shade = p.shade.clone().flatten();
                let id = dbi::insert_product(
                    self.conn,
                    supplier,
                    &p.code,
                    &name,
                    shade.as_deref(),
                    kind,
                    self.at,
                )?;
                self.record(Change::Product, id, None)?;
                new = true;
                crate::db::ProductId(id)
            }
            Some(row) => {
                let before = ProductFields {
                    name: row.name.clone(),
                    shade: row.shade.clone(),
                    kind: row.kind,
                };
                let after = ProductFields {
                    name: p.name.clone().unwrap_or_else(|| row.name.clone()),
                    shade: p.shade.clone().unwrap_or_else(|| row.shade.clone()),
                    kind: p.kind.or(self.job.kind).unwrap_or(row.kind),
                };
                if after != before {
                    dbi::update_product(self.conn, row.id, &after)?;
                    let text = serde_json::to_string(&before).unwrap_or_default();
                    self.record(Change::ProductUpdate, row.id.get(), Some(&text))?;
                    changed = true;
                }
                row.id
            }
        };
        let formulation = match existing.1 {
            Some((id, _, current)) if current == fp => {
                for item in items {
                    self.count_substances(item, None);
                }
                id
            }
            other => {
                let version = other.map_or(1, |(_, v, _)| v + 1);
                let source = format!("import catalog {}", self.file_name);
                let substances = self.substances_of(items)?;
                let empty = substances.iter().all(Vec::is_empty);
                let id = dbi::insert_formulation(
                    self.conn, product, version, fp, self.at, &source, empty,
                )?;
                self.record(Change::Formulation, id, None)?;
                let id = FormulationId(id);
                self.write_ingredients(id, items, &substances)?;
                self.report.formulations += 1;
                changed = true;
                id
            }
        };
        for l in &p.lots {
            let expires = l.expires.map(|e| e.to_string());
            match cat::find_lot(self.conn, product, &l.lot)? {
                None => {
                    let id = cat::insert_lot(
                        self.conn,
                        product,
                        formulation,
                        &l.lot,
                        expires.as_deref(),
                        self.at,
                    )?;
                    self.record(Change::Lot, id.get(), None)?;
                    self.report.lots += 1;
                }
                Some((id, _, old)) if old != expires => {
                    dbi::set_lot_expiry(self.conn, id, expires.as_deref())?;
                    self.record(Change::LotExpiry, id.get(), old.as_deref())?;
                    let message = format!(
                        "lot {:?} of {:?}: expiry changed from {} to {}",
                        l.lot,
                        p.code,
                        old.as_deref().unwrap_or("none"),
                        expires.as_deref().unwrap_or("none")
                    );
                    self.warnings.warn(l.line, "expiry-changed", message);
                    changed = true;
                }
                Some(_) => {}
            }
        }
        let counts = &mut self.report.products;
        match (new, changed) {
            (true, _) => counts.new += 1,
            (false, true) => counts.changed += 1,
            (false, false) => counts.unchanged += 1,
        }
        Ok(())
    }

    /// The substances each item declares, unverified ones made as needed.
    fn substances_of(&mut self, items: &[Item]) -> Result<Vec<Vec<SubstanceId>>> {
        let mut ids: Vec<Vec<SubstanceId>> = Vec::with_capacity(items.len());
        for item in items {
            let mut list = item.resolution().substances.clone();
            let made = match &item.resolution().new {
                Some(new) => Some(self.unverified_substance(new, item.line)?),
                None => None,
            };
            list.extend(made);
            self.count_substances(item, made);
            ids.push(list);
        }
        Ok(ids)
    }

    fn write_ingredients(
        &mut self,
        formulation: FormulationId,
        items: &[Item],
        ids: &[Vec<SubstanceId>],
    ) -> Result<()> {
        let mut rows = Vec::new();
        for (i, (item, list)) in items.iter().zip(ids).enumerate() {
            let c = item.concentration.as_ref();
            for sid in list {
                rows.push(IngredientInsert {
                    position: i as i64 + 1,
                    name: &item.decl.name,
                    substance: *sid,
                    concentration_text: c.map(|c| c.text.as_str()),
                    min_percent: c.and_then(|c| c.min_percent),
                    max_percent: c.and_then(|c| c.max_percent),
                    function: item.decl.function.as_deref(),
                    may_contain: item.decl.may_contain,
                    cas: item.resolved.cas.as_deref(),
                    ec: item.resolved.ec.as_deref(),
                    ci: item.resolved.ci.as_deref(),
                    doubt: item.resolution().doubt.as_deref(),
                });
            }
        }
        dbi::insert_ingredients(self.conn, formulation, &rows)
    }

    /// Counts an applied item's substances for the report: those it resolved to once per
    /// declaration (a catalog repeats a few thousand over hundreds of thousands of rows), the
    /// one made for it each time.
    fn count_substances(&mut self, item: &Item, made: Option<SubstanceId>) {
        let resolved = if item.resolved.counted.replace(true) {
            &[][..]
        } else {
            &item.resolution().substances[..]
        };
        for id in resolved.iter().chain(made.as_ref()) {
            if self.index.substances.get(id).is_some_and(|k| k.verified) {
                self.matched.insert(*id);
            } else {
                self.unverified.insert(*id);
            }
        }
    }
}
