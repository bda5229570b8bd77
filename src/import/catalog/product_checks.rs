//! What a product is checked for before it is written: lots that contradict what the catalog
//! holds (a rejection), and restricted substances in a pigment (a warning, by the engine's rule).

use super::apply::{Applier, Existing};
use super::group::ProductDecl;
use super::items::Item;
use super::report::Rejected;
use crate::db::catalog::{self as cat, Kind};
use crate::error::Result;

impl Applier<'_> {
    /// A lot already recorded with another formulation than the one the file declares is a
    /// contradiction: a lot is made from one formulation.
    pub(super) fn check_lots(
        &self,
        p: &mut ProductDecl,
        existing: &Existing,
        fp: &str,
    ) -> Result<()> {
        let Some(product) = &existing.0 else {
            return Ok(());
        };
        let target = existing.1.as_ref().filter(|c| c.2 == fp).map(|c| c.0);
        for l in &p.lots {
            if let Some((_, formulation, _)) = cat::find_lot(self.conn, product.id, &l.lot)? {
                if Some(formulation) != target {
                    let version = cat::formulation_version(self.conn, formulation)?;
                    p.errors.push(Rejected {
                        line: l.line,
                        reason: format!(
                            "lot {:?} of {:?} is already recorded with formulation {version}, whose ingredients differ from this file's",
                            l.lot, p.code
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Warns of the restricted substances a pigment declares (SPEC 3 and 6), by the rule the
    /// engine uses: `Restriction::breach` of the restrictions in force.
    pub(super) fn warn_restricted(&mut self, p: &ProductDecl, items: &[Item]) {
        if p.kind.or(self.job.kind).unwrap_or(Kind::Pigment) != Kind::Pigment {
            return;
        }
        let today = self.world.today();
        let mut found = Vec::new();
        for item in items {
            let max = item.concentration.as_ref().and_then(|c| c.max_percent);
            for id in &item.resolution().substances {
                for r in self.world.restrictions_in_force(*id) {
                    if let Some(what) = r.breach(max, today) {
                        found.push((
                            item.line,
                            format!(
                                "product {:?}: {} (declared as {:?}) {what}",
                                p.code,
                                self.index.name_of(*id),
                                item.decl.name
                            ),
                        ));
                    }
                }
            }
        }
        for (line, message) in found {
            self.warnings.warn(line, "restricted", message);
        }
    }
}
