//! The verdict service (SPEC 5 and 7): `check`, the safe list, `screen` and the treatment gate,
//! each a function from the database to a verdict. It is the only caller of the fact loaders
//! (`db::facts`) and of the engine (`screening::assess`), so that every command and the page
//! judge the same facts in the same way: they agree by construction.
//!
//! Every function takes a `&Connection`: the treatment gate runs inside the write transaction
//! that records the treatment, so what is written is what was judged.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;

use crate::db::catalog::{self as cat, Kind};
use crate::db::clinical::{self, ClientRef};
use crate::db::{self, facts};
use crate::error::{Error, Result};
use crate::ids::FormulationId;
use crate::screening::{
    self, assess, Assessment, ClientFacts, ItemOutcome, ItemTarget, Options, Outcome, ProductFacts,
    Reason, Verdict, World,
};

/// The judgement of one product (and lot) for one client.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub client: ClientRef,
    /// The product as the catalog holds it (kind, shade), for alternatives.
    pub row: cat::ProductRow,
    pub product: ProductFacts,
    pub assessment: Assessment,
}

/// The facts of one client, with the world they are judged in.
struct Case {
    client: ClientRef,
    facts: ClientFacts,
    world: World,
}

fn load_case(conn: &Connection, now: DateTime<Utc>, client: &str) -> Result<Case> {
    case_of(conn, now, clinical::resolve_client(conn, client)?)
}

/// As `load_case`, the client named by code or by name (`check`, the safe list).
fn load_case_by_name(conn: &Connection, now: DateTime<Utc>, client: &str) -> Result<Case> {
    case_of(conn, now, clinical::resolve_client_or_name(conn, client)?)
}

fn case_of(conn: &Connection, now: DateTime<Utc>, client: ClientRef) -> Result<Case> {
    let world = facts::load_world(conn, now)?;
    let facts = facts::load_clients(conn, Some(client.id))?
        .remove(&client.id)
        .unwrap_or_default();
    Ok(Case {
        client,
        facts,
        world,
    })
}

/// `check CLIENT PRODUCT [--lot LOT]`: every reason, `no-patch-test` included.
pub fn check(
    conn: &Connection,
    now: DateTime<Utc>,
    client: &str,
    product: &str,
    lot: Option<&str>,
) -> Result<Judgement> {
    let case = load_case_by_name(conn, now, client)?;
    let row = cat::resolve_product(conn, product)?;
    let product = facts::load_product(conn, &row, lot)?;
    let assessment = assess(&case.facts, &product, &case.world, Options::default());
    Ok(Judgement {
        client: case.client,
        row,
        product,
        assessment,
    })
}

/// Which products a safe list covers.
#[derive(Debug, Clone, Copy, Default)]
pub struct SafeListFilter {
    pub supplier: Option<i64>,
    pub kind: Option<Kind>,
    pub include_caution: bool,
}

/// A product of the safe list.
#[derive(Debug, Clone, Serialize)]
pub struct SafeItem {
    pub supplier: String,
    pub code: String,
    pub name: String,
    pub shade: Option<String>,
    pub kind: &'static str,
    pub verdict: Verdict,
    pub patch_test: String,
    /// `2 lots in stock`, `no lot recorded`.
    pub stock: String,
    /// Lots not expired and not flagged.
    pub lots_in_stock: usize,
    pub reasons: Vec<Reason>,
}

/// A product the safe list left out, and why in a few words (`nickel`, `every lot recalled`).
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    pub supplier: String,
    pub code: String,
    /// `None` when it was left out for its stock alone.
    pub verdict: Option<Verdict>,
    pub why: String,
}

#[derive(Debug, Clone)]
pub struct SafeList {
    pub client: ClientRef,
    pub items: Vec<SafeItem>,
    /// Products judged and left out: (CAUTION, BLOCKED).
    pub left_out: (usize, usize),
    /// Products left out for their stock alone: every lot expired or flagged.
    pub out_of_stock: usize,
    /// Every product left out, by supplier and code.
    pub left: Vec<LeftOut>,
}

/// The options of every judgement that asks "would it be CLEAR once patch-tested?": the safe
/// list and `screen` leave `no-patch-test` out (SPEC 5).
const ONCE_TESTED: Options = Options {
    ignore_missing_patch_test: true,
};

/// `safe-list CLIENT`: every product whose current formulation would be CLEAR for the client
/// once patch-tested and that can be used: a product whose every lot is expired or flagged is
/// left out (one with no lot at all is kept, "no lot recorded"). Set-based: only the formulations that touch what the engine could give a
/// reason for (`screening::relevance`, property-tested against `assess`) are read with their
/// ingredients and judged; every other product is CLEAR without reasons.
pub fn safe_list(
    conn: &Connection,
    now: DateTime<Utc>,
    client: &str,
    filter: SafeListFilter,
) -> Result<SafeList> {
    let case = load_case_by_name(conn, now, client)?;
    let outcomes = screening::outcomes(&case.facts, &case.world);
    let relevant = screening::relevance(&case.facts, &case.world, &outcomes);
    let entries = facts::current_formulations(conn, filter.supplier, filter.kind)?;
    let unverified = facts::unverified_substances(conn)?;
    let to_judge: HashSet<FormulationId> = if relevant.every_product {
        entries.iter().map(|e| e.formulation_id).collect()
    } else {
        let mut marked = relevant.substances.clone();
        if relevant.unverified_matter {
            marked.extend(unverified.iter().copied());
        }
        let mut set = facts::formulations_holding(conn, &marked)?;
        set.extend(relevant.formulations.iter().copied());
        set.extend(entries.iter().filter(|e| e.empty).map(|e| e.formulation_id));
        set
    };
    let judged: BTreeSet<FormulationId> = entries
        .iter()
        .map(|e| e.formulation_id)
        .filter(|f| to_judge.contains(f))
        .collect();
    let mut ingredients =
        facts::ingredients(conn, &judged, Some(&relevant.substances), &unverified)?;
    let stock = db::stock::by_product(conn, case.world.today())?;
    let mut list = SafeList {
        client: case.client.clone(),
        items: Vec::with_capacity(entries.len()),
        left_out: (0, 0),
        out_of_stock: 0,
        left: Vec::new(),
    };
    for entry in entries {
        let lots = stock.get(&entry.product_id).copied().unwrap_or_default();
        let (verdict, reasons) = if judged.contains(&entry.formulation_id) {
            let held = ingredients
                .remove(&entry.formulation_id)
                .unwrap_or_default();
            let a = assess(&case.facts, &entry.facts(held), &case.world, ONCE_TESTED);
            (a.verdict, a.reasons)
        } else {
            (Verdict::Clear, Vec::new())
        };
        let left_for = match verdict {
            Verdict::Caution if !filter.include_caution => {
                list.left_out.0 += 1;
                Some((Some(verdict), words::short_why(&reasons)))
            }
            Verdict::Blocked => {
                list.left_out.1 += 1;
                Some((Some(verdict), words::short_why(&reasons)))
            }
            _ if lots.none_usable() => {
                list.out_of_stock += 1;
                Some((None, lots.why_unusable().to_string()))
            }
            _ => None,
        };
        if let Some((verdict, why)) = left_for {
            list.left.push(LeftOut {
                supplier: entry.supplier,
                code: entry.code,
                verdict,
                why,
            });
            continue;
        }
        list.items.push(SafeItem {
            stock: lots.describe(),
            lots_in_stock: lots.usable,
            patch_test: patch_test_status(&outcomes, entry.formulation_id),
            supplier: entry.supplier,
            code: entry.code,
            name: entry.name,
            shade: entry.shade,
            kind: entry.kind.as_str(),
            verdict,
            reasons,
        });
    }
    Ok(list)
}

/// How many CLEAR alternatives a verdict offers at most.
pub const ALTERNATIVES: usize = 5;

/// The next step after a verdict that is not CLEAR: products of the same kind that would be
/// CLEAR for the client once patch-tested and have a lot in stock, the same shade first, then
/// those already patch-tested negative; the product itself never. `check` and the page both
/// offer these.
pub fn alternatives(
    conn: &Connection,
    now: DateTime<Utc>,
    client: &str,
    product: &cat::ProductRow,
    limit: usize,
) -> Result<Vec<SafeItem>> {
    let filter = SafeListFilter {
        kind: Some(product.kind),
        ..SafeListFilter::default()
    };
    let list = safe_list(conn, now, client, filter)?;
    let shade = product.shade.as_deref().map(crate::ident::normalize_name);
    let mut items: Vec<SafeItem> = list
        .items
        .into_iter()
        .filter(|i| i.verdict == Verdict::Clear && i.lots_in_stock > 0)
        .filter(|i| !(i.supplier == product.supplier && i.code == product.code))
        .collect();
    items.sort_by_key(|i| {
        (
            shade.is_some() && i.shade.as_deref().map(crate::ident::normalize_name) != shade,
            !i.patch_test.starts_with("negative ("),
        )
    });
    items.truncate(limit);
    Ok(items)
}

/// The patch-test status of a formulation for a client, most telling first.
fn patch_test_status(outcomes: &[ItemOutcome], formulation: FormulationId) -> String {
    let mut best: Option<(u8, String)> = None;
    for o in outcomes {
        let ItemTarget::Formulation { id, .. } = &o.item.target else {
            continue;
        };
        if *id != formulation {
            continue;
        }
        let applied = screening::date_of(&o.test.applied_at);
        let date = o
            .deciding
            .map_or_else(|| applied.clone(), |r| screening::date_of(&r.at));
        let (rank, text) = match o.outcome {
            Outcome::Positive => (6, format!("positive ({date})")),
            Outcome::PhotoPositive => (6, format!("photo-positive ({date})")),
            Outcome::Doubtful => (5, format!("doubtful ({date})")),
            Outcome::Irritant => (4, format!("irritant ({date})")),
            Outcome::Pending => (3, format!("pending (applied {applied})")),
            Outcome::Negative if o.current => (2, format!("negative ({date})")),
            Outcome::Negative => (1, format!("negative, too old ({date})")),
        };
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, text));
        }
    }
    best.map_or_else(|| "none".to_string(), |(_, t)| t)
}

/// A client for whom a product is not CLEAR.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenItem {
    pub client: String,
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone)]
pub struct Screen {
    pub product: ProductFacts,
    pub clients: usize,
    /// BLOCKED first, then CAUTION, each by client code.
    pub items: Vec<ScreenItem>,
}

/// `screen PRODUCT`: the clients for whom the product's current formulation is BLOCKED or
/// CAUTION (once patch-tested), every client's facts read in one set of queries.
pub fn screen(conn: &Connection, now: DateTime<Utc>, product: &str) -> Result<Screen> {
    let product = facts::load_product(conn, &cat::resolve_product(conn, product)?, None)?;
    let world = facts::load_world(conn, now)?;
    let clients = facts::load_clients(conn, None)?;
    let mut items: Vec<ScreenItem> = clients
        .values()
        .filter_map(|c| {
            let a = assess(c, &product, &world, ONCE_TESTED);
            (a.verdict != Verdict::Clear).then(|| ScreenItem {
                client: c.code.clone(),
                verdict: a.verdict,
                reasons: a.reasons,
            })
        })
        .collect();
    items.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then_with(|| a.client.cmp(&b.client))
    });
    Ok(Screen {
        product,
        clients: clients.len(),
        items,
    })
}

/// A product and lot named for a treatment.
#[derive(Debug, Clone)]
pub struct Used<'a> {
    pub product: &'a str,
    pub lot: Option<&'a str>,
}

/// One product and lot of a treatment, as judged.
#[derive(Debug, Clone, Serialize)]
pub struct UsedVerdict {
    pub product: String,
    pub name: String,
    pub lot: String,
    #[serde(skip)]
    pub lot_id: crate::db::LotId,
    pub formulation: i64,
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone)]
pub struct TreatmentJudgement {
    pub client: ClientRef,
    pub items: Vec<UsedVerdict>,
    /// The most severe verdict of the items.
    pub verdict: Verdict,
}

/// The treatment gate's judgement: each product and lot judged as `check CLIENT PRODUCT --lot
/// LOT` judges it. Run it inside the transaction that writes the treatment.
pub fn judge_treatment(
    conn: &Connection,
    now: DateTime<Utc>,
    client: &str,
    used: &[Used],
) -> Result<TreatmentJudgement> {
    let case = load_case(conn, now, client)?;
    let mut items: Vec<UsedVerdict> = Vec::new();
    for u in used {
        let p = cat::resolve_product(conn, u.product)?;
        let Some(lot) = u.lot else {
            return Err(Error::invalid_with_hint(
                format!(
                    "{} has no --lot: a treatment records the lots used",
                    cat::product_label(&p)
                ),
                format!(
                    "add --lot after --product {}; the lots: inkguard lot list {}",
                    crate::error::shell_quote(u.product),
                    crate::error::shell_quote(&format!("{}/{}", p.supplier, p.code))
                ),
            ));
        };
        let product = facts::load_product(conn, &p, Some(lot))?;
        let (lot_id, ..) = cat::find_lot(conn, p.id, lot)?
            .ok_or_else(|| Error::invalid(format!("lot {lot} of {} vanished", p.code)))?;
        if items.iter().any(|i| i.lot_id == lot_id) {
            return Err(Error::invalid(format!(
                "lot {} of {} is named twice",
                lot.trim(),
                cat::product_label(&p)
            )));
        }
        let a = assess(&case.facts, &product, &case.world, Options::default());
        items.push(UsedVerdict {
            product: format!("{}/{}", p.supplier, p.code),
            name: p.name.clone(),
            lot: lot.trim().to_string(),
            lot_id,
            formulation: product.version,
            verdict: a.verdict,
            reasons: a.reasons,
        });
    }
    let verdict = items
        .iter()
        .map(|i| i.verdict)
        .max()
        .unwrap_or(Verdict::Clear);
    Ok(TreatmentJudgement {
        client: case.client,
        items,
        verdict,
    })
}

/// What the gate decides for a treatment (SPEC 7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Record it; the override is kept only where it was needed (a CAUTION).
    Go { override_reason: Option<String> },
    /// Nothing may be written.
    Refused { why: &'static str },
}

/// The refusal rule: BLOCKED never, CAUTION only with a reason, CLEAR always.
pub fn gate(verdict: Verdict, override_reason: Option<&str>) -> Gate {
    let reason = override_reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    match verdict {
        Verdict::Blocked => Gate::Refused {
            why: "BLOCKED: a blocked product cannot be overridden",
        },
        Verdict::Caution if reason.is_none() => Gate::Refused {
            why: "CAUTION: to go ahead, give --override REASON",
        },
        Verdict::Caution => Gate::Go {
            override_reason: reason,
        },
        Verdict::Clear => Gate::Go {
            override_reason: None,
        },
    }
}

mod record;
pub mod words;

pub use record::{record_raised, standings, Standings};

#[cfg(test)]
mod tests;
