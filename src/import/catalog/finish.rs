//! The end of a catalog import: the unverified substances it makes (and their inferred
//! group memberships), suggestions for them, and the warnings in order.

use std::collections::HashMap;

use super::super::resolve::NewSubstance;
use super::apply::Applier;
use super::report::{CatalogReport, Unverified};
use crate::db::substances::{self, IdKind};
use crate::error::Result;
use crate::ident;
use crate::ids::SubstanceId;

impl Applier<'_> {
    /// The unverified substance for what nothing known matched: the one the row names
    /// (`join`), else the one an earlier product (or import) made for the same numbers or
    /// name, else a new one. Its numbers are added to it.
    pub(super) fn unverified_substance(
        &mut self,
        new: &NewSubstance,
        line: u64,
    ) -> Result<SubstanceId> {
        let source = format!("import catalog {} line {line}", self.file_name);
        let id = match new.join.or_else(|| self.index.unverified_holder(new)) {
            Some(id) => id,
            None => {
                let row = substances::NewRow {
                    name: &new.name,
                    verified: false,
                    category: None,
                    note: None,
                    source: &source,
                };
                let id = substances::insert(self.conn, row, self.at)?;
                self.index.add_substance(id, &new.name, false);
                id
            }
        };
        let numbers = new
            .cas
            .iter()
            .map(|c| (IdKind::Cas, c.to_string(), c.to_string()))
            .chain(
                new.ec
                    .iter()
                    .map(|e| (IdKind::Ec, e.to_string(), e.to_string())),
            )
            .chain(
                new.ci
                    .iter()
                    .map(|c| (IdKind::Ci, c.to_string(), substances::ci_norm(*c))),
            );
        for (kind, value, norm) in numbers {
            if substances::add_identifier(self.conn, id, kind, &value, &source)? {
                self.index.add(id, kind, norm);
            }
        }
        Ok(id)
    }

    /// Inferred group members for the new unverified substances, suggestions, warnings.
    pub fn finish(mut self) -> Result<CatalogReport> {
        self.flush_changes()?;
        let unverified: Vec<SubstanceId> = self.unverified.iter().copied().collect();
        crate::db::groups::refresh_inferred(self.conn, &unverified)?;
        self.report.rejected.sort();
        self.report.substances.matched = self.matched.len();
        let mut by_first: HashMap<char, Vec<(String, String)>> = HashMap::new();
        // Suggestions only for unverified substances: without them, no copy of every name.
        let names = self
            .index
            .verified_names()
            .filter(|_| !self.unverified.is_empty());
        for (norm, id) in names {
            if let Some(first) = norm.chars().next() {
                by_first
                    .entry(first)
                    .or_default()
                    .push((norm.to_string(), self.index.name_of(id).to_string()));
            }
        }
        for id in &self.unverified {
            let name = self.index.name_of(*id).to_string();
            let key = crate::db::substance_list::key(self.conn, *id).unwrap_or_default();
            let first = ident::normalize_name(&name).chars().next();
            let candidates = first
                .and_then(|f| by_first.get(&f))
                .map_or(&[][..], Vec::as_slice);
            let suggestions = substances::closest(
                &name,
                candidates
                    .iter()
                    .map(|(n, owner)| (owner.as_str(), n.as_str(), owner.as_str())),
                3,
            );
            self.report.substances.unverified.push(Unverified {
                name,
                key,
                suggestions,
            });
        }
        let warnings = std::mem::take(&mut self.warnings);
        warnings.into_report(&mut self.report);
        if !self.report.substances.unverified.is_empty() {
            self.report
                .warning_counts
                .insert("unverified".into(), self.report.substances.unverified.len());
        }
        Ok(self.report)
    }
}
