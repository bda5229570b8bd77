//! Patch tests and patch-test series.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use crate::ids::PatchTestId;

/// One item of a patch test, in command-line order (filled in by `main` from the raw matches,
/// because a `--lot` belongs to the `--product` before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemArg {
    Product {
        product: String,
        lot: Option<String>,
    },
    Substance(String),
}

#[derive(Debug, Subcommand)]
pub enum PatchTestCommand {
    /// Apply a patch test of one or more products and substances; prints its id
    #[command(
        long_about = "Apply a patch test: each --product (with an optional --lot right after \
it) or --substance is one item. Readings are recorded later with `patch-test read`.\n\n\
Example: inkguard patch-test apply C-0042 --product FW-101 --lot FW25-001 --substance 'nickel sulfate' --site 'left forearm'"
    )]
    Apply {
        /// The client's code
        client: String,
        /// A product to test (repeatable)
        #[arg(long, action = clap::ArgAction::Append)]
        product: Vec<String>,
        /// The lot of the --product before it
        #[arg(long, action = clap::ArgAction::Append)]
        lot: Vec<String>,
        /// A substance to test (repeatable)
        #[arg(long, action = clap::ArgAction::Append)]
        substance: Vec<String>,
        /// A series to apply, each allergen an item with its concentration and vehicle
        #[arg(long, value_name = "NAME")]
        series: Option<String>,
        /// Only these positions of the --series (comma-separated: 1,4,7)
        #[arg(long, value_name = "POSITIONS", requires = "series")]
        only: Option<String>,
        /// Photopatch test: apply a duplicate set to be irradiated (patch-test irradiate)
        #[arg(long)]
        photo: bool,
        /// Where on the body
        #[arg(long)]
        site: Option<String>,
        /// When it was applied [default: now]
        #[arg(long)]
        at: Option<String>,
        #[arg(skip)]
        items: Vec<ItemArg>,
    },
    /// Record the UVA irradiation of a photopatch test's duplicate set
    #[command(
        long_about = "Record the UVA irradiation of the duplicate set of a photopatch test \
(applied with --photo), usually on D1 or D2. A reaction only on the irradiated set is \
photo-positive: a photoallergy, which counts as a positive in every verdict.\n\n\
Example: inkguard patch-test irradiate 3 --dose 5 --at 2026-11-25T09:00"
    )]
    Irradiate {
        /// The test's id
        test: PatchTestId,
        /// The UVA dose in J/cm² (5 is usual)
        #[arg(long, value_name = "J/CM2", allow_hyphen_values = true)]
        dose: String,
        /// When it was irradiated [default: now]
        #[arg(long)]
        at: Option<String>,
    },
    /// The patch tests due for a reading on a day (policy reading-days), per client
    #[command(
        long_about = "List, per client, the patch tests whose scheduled reading falls on a day: \
the schedule is policy reading-days (default 2,4,7 days after application); a reading is due \
until every item has one that day or later.\n\n\
Examples:\n  inkguard patch-test due\n  inkguard patch-test due --on 2026-11-27"
    )]
    Due {
        /// The day (YYYY-MM-DD, in the clinic's zone) [default: today]
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
    },
    /// Record the clinical relevance of a positive item (kept; a later one supersedes it)
    #[command(
        long_about = "Record the clinical relevance of a positive (or photo-positive) item. \
Nothing is overwritten: a later relevance supersedes the earlier one, which stays on record. \
The relevance in force is shown in client show, in the report and in every check reason that \
rests on the item.\n\n\
Example: inkguard patch-test relevance 3 --item 7 current --certainty probable --occupational"
    )]
    Relevance {
        /// The test's id
        test: PatchTestId,
        /// Which item
        #[arg(long)]
        item: i64,
        /// The relevance
        #[arg(value_enum)]
        relevance: RelevanceArg,
        /// How sure the relevance is
        #[arg(long, value_enum)]
        certainty: Option<RelevanceCertainty>,
        /// The exposure is at work
        #[arg(long)]
        occupational: bool,
    },
    /// A patch test's result for the client and the referring physician
    #[command(
        long_about = "Print a patch test's result: readings by day per item, positives with \
their relevance, what to avoid (the substances and their groups) and the client's safe list \
of the clinic's products. --format html gives one self-contained printable page.\n\n\
Examples:\n  inkguard patch-test report 3\n  inkguard patch-test report 3 --format html > report.html"
    )]
    Report {
        /// The test's id
        test: PatchTestId,
    },
    /// Record a reading (ICDRG grade) of a patch test
    #[command(
        long_about = "Record a reading: - negative, ?+ doubtful, + weak, ++ strong, +++ \
extreme positive, IR irritant, NT not tested. The reading day (D2, D3, ...) is computed from the \
application time. A reading is never overwritten: a second reading of the same day needs \
--correct REASON and supersedes the first, which stays on record.\n\n\
Examples:\n  inkguard patch-test read 3 --item 1 --grade ++ --at 2026-11-26T10:00\n  inkguard patch-test read 3 --item 2 --grade=-"
    )]
    Read {
        /// The test's id
        test: PatchTestId,
        /// Which item (needed when the test has several)
        #[arg(long)]
        item: Option<i64>,
        /// The ICDRG grade: -, ?+, +, ++, +++, IR, NT
        #[arg(long, allow_hyphen_values = true)]
        grade: String,
        /// When it was read [default: now]
        #[arg(long)]
        at: Option<String>,
        /// A note
        #[arg(long)]
        note: Option<String>,
        /// Correct the reading of the same day, for this reason
        #[arg(long)]
        correct: Option<String>,
        /// Accept a reading more than 14 days after the application, for this reason
        #[arg(long, value_name = "REASON")]
        late: Option<String>,
    },
    /// List a client's patch tests with each item's outcome
    List {
        /// The client's code
        client: String,
    },
    /// Show a patch test with every reading
    Show {
        /// The test's id
        test: PatchTestId,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RelevanceArg {
    /// The allergen explains the present dermatitis
    Current,
    /// It explains an earlier one
    Past,
    /// No exposure found
    Unknown,
    /// A cross-reaction to another allergen
    CrossReaction,
    /// Sensitised by the test itself (a late first positive)
    ActiveSensitisation,
}

impl RelevanceArg {
    pub fn as_str(self) -> &'static str {
        match self {
            RelevanceArg::Current => "current",
            RelevanceArg::Past => "past",
            RelevanceArg::Unknown => "unknown",
            RelevanceArg::CrossReaction => "cross-reaction",
            RelevanceArg::ActiveSensitisation => "active-sensitisation",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RelevanceCertainty {
    Certain,
    Probable,
    Possible,
    Unlikely,
}

impl RelevanceCertainty {
    pub fn as_str(self) -> &'static str {
        match self {
            RelevanceCertainty::Certain => "certain",
            RelevanceCertainty::Probable => "probable",
            RelevanceCertainty::Possible => "possible",
            RelevanceCertainty::Unlikely => "unlikely",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum SeriesCommand {
    /// Import a patch-test series from a CSV file
    #[command(
        long_about = "Import a patch-test series: one row per allergen with position, allergen \
(name), CAS (optional), concentration (% as written, e.g. `1 %`), vehicle (pet., aq., alc.) and \
source. Names resolve like ingredients: a mix by its group (thiuram mix, fragrance mix I), \
else a substance by CAS and name. An allergen that matches nothing is kept as an unverified \
substance and listed with suggestions (merge it later with `substance merge`); a positive to \
it makes every check CAUTION at least. A `panel` column (T.R.U.E. panels) numbers the rows in \
file order. Lines starting with # are comments.\n\n\
Example: inkguard series import examples/european-baseline-series.csv --name 'European baseline'"
    )]
    Import {
        /// The CSV file, or - for standard input
        file: PathBuf,
        /// The series' name
        #[arg(long)]
        name: String,
    },
    /// List the series
    List,
    /// Show a series' allergens and what each resolved to
    Show {
        /// The series' name
        name: String,
    },
}

/// The items of a command that takes `--product P [--lot L]` and `--substance S` in any order:
/// each `--lot` belongs to the `--product` right before it.
pub fn ordered_items(m: &clap::ArgMatches) -> Result<Vec<ItemArg>, String> {
    let mut args: Vec<(usize, &str, String)> = Vec::new();
    for id in ["product", "lot", "substance"] {
        if m.try_contains_id(id).unwrap_or(false) {
            if let (Some(idx), Some(vals)) = (m.indices_of(id), m.get_many::<String>(id)) {
                args.extend(idx.zip(vals).map(|(i, v)| (i, id, v.clone())));
            }
        }
    }
    args.sort_by_key(|(i, _, _)| *i);
    let mut items: Vec<ItemArg> = Vec::new();
    for (_, id, value) in args {
        match id {
            "product" => items.push(ItemArg::Product {
                product: value,
                lot: None,
            }),
            "substance" => items.push(ItemArg::Substance(value)),
            _ => match items.last_mut() {
                Some(ItemArg::Product {
                    lot: lot @ None, ..
                }) => *lot = Some(value),
                _ => {
                    return Err(format!(
                        "--lot {value} must follow the --product it belongs to"
                    ))
                }
            },
        }
    }
    Ok(items)
}
