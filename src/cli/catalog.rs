//! The catalog: substances, groups, imports, export, products, lots, and the policy.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::screening::{Level, Relation};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show the policy in force
    Show,
    /// Set a policy key
    #[command(
        long_about = "Set a policy key. Keys and defaults:\n  require-patch-test true\n  \
patch-test-valid-days 180\n  min-negative-reading-hours 72\n  reading-days 2,4,7\n  suspected caution (caution|block)\n  \
declared block (caution|block)\n  unverified-ingredients caution (note|caution|block)\n  \
regulatory caution (note|caution|block)\n  jurisdiction EU (EU|none)\n\n\
Example: inkguard policy set suspected block"
    )]
    Set {
        /// The key
        key: String,
        /// The value
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SubstanceCommand {
    /// List substances
    List {
        /// Only substances with a name, synonym or number containing this text
        #[arg(long)]
        search: Option<String>,
        /// Only substances created by an import because nothing known matched
        #[arg(long)]
        unverified: bool,
    },
    /// Show a substance with all its identifiers, groups and restrictions
    #[command(
        long_about = "Show a substance with all its identifiers, groups and restrictions. \
NAME is any name, synonym, INCI name, CAS, EC or Colour Index number.\n\n\
Examples:\n  inkguard substance show 'nickel sulphate'\n  inkguard substance show 'CI 77499'\n  inkguard substance show 7440-02-0"
    )]
    Show {
        /// Any name, synonym, INCI name, CAS, EC or Colour Index number
        name: String,
    },
    /// Add a name by which a substance is known
    #[command(
        long_about = "Add a name (synonym) by which a substance is known, so that imports and \
commands find it by that name.\n\nExample: inkguard substance alias 'p-phenylenediamine' 'para dye'"
    )]
    Alias {
        /// The substance
        name: String,
        /// The new name
        alias: String,
    },
    /// Merge an unverified substance into a known one; every record that named it follows
    #[command(
        long_about = "Merge an unverified substance (one an import created because nothing \
known matched) into a known substance. Its names and numbers move over, and every ingredient, \
group membership and record that named it now means the known substance.\n\n\
Example: inkguard substance merge 'Aqua Purificata' water"
    )]
    Merge {
        /// The unverified substance
        from: String,
        /// The known substance it is
        into: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// List groups
    List,
    /// Show a group and its members
    Show {
        /// The group's key or name
        name: String,
    },
    /// Add a group
    #[command(
        long_about = "Add a group of substances whose allergy travels together.\n\n\
Example: inkguard group add fragrance-mix --name 'Fragrance mix' --relation chemical-family\n\
Example: inkguard group add palladium-compounds --name 'Palladium compounds' --relation same-hapten --parents palladium"
    )]
    Add {
        /// A short stable key, like nickel-compounds
        key: String,
        /// The group's name
        #[arg(long)]
        name: String,
        /// What ties the members together
        #[arg(long, value_enum)]
        relation: Relation,
        /// What a sensitivity to one member means for the others [default: by relation]
        #[arg(long, value_enum)]
        on_match: Option<Level>,
        /// Why the group exists
        #[arg(long)]
        note: Option<String>,
        /// Parent moieties, ;-separated (e.g. "palladium"): a substance whose name holds one as
        /// a word (Palladium chloride) becomes an inferred member
        #[arg(long)]
        parents: Option<String>,
    },
    /// Add a substance to a group (an inferred member becomes a listed one)
    AddMember {
        /// The group's key or name
        group: String,
        /// The substance
        substance: String,
    },
    /// Change what a match within a group means for this clinic
    Set {
        /// The group's key or name
        group: String,
        /// block, caution or note
        #[arg(long, value_enum)]
        on_match: Level,
    },
}

/// Options shared by the imports.
#[derive(Debug, Args)]
pub struct ImportOptions {
    /// The CSV file, or - for standard input
    pub file: PathBuf,
    /// Report what would change and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write what is valid and report the rest (whole products only, for catalogs)
    #[arg(long)]
    pub skip_invalid: bool,
    /// The delimiter: , ; | or tab [default: detected]
    #[arg(long, value_name = "C")]
    pub delimiter: Option<String>,
    /// The file's encoding: utf-8, utf-16le, utf-16be, windows-1252 [default: UTF-8, or by BOM]
    #[arg(long, value_name = "E")]
    pub encoding: Option<String>,
    /// Which column holds a field: FIELD=HEADER or FIELD=NUMBER (repeatable)
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub maps: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a supplier's ingredient file into the catalog
    #[command(
        long_about = "Import a supplier's ingredient file into the catalog. Two layouts are \
read: one row per ingredient (product, ingredient, CAS, EC, CI, concentration, lot, expiry), or \
one row per product with the whole label declaration in one cell. Headers are understood in \
English, German, French, Spanish and Italian; --map names any other.\n\n\
The import is atomic: one invalid row and nothing is written (unless --skip-invalid). Importing \
the same file again changes nothing; a changed ingredient list makes a new formulation. Every \
import is recorded as a batch: `import history` lists them, `import undo` takes one back.\n\n\
The terminal gets a summary: counts, warnings counted by kind with a few examples of each, and \
the invalid rows; --report FILE writes every detail as CSV (line, kind, value, suggestion). \
--dry-run also shows which column fed which field.\n\n\
--save-map keeps this import's --map, --delimiter, --encoding and --kind for the supplier: its \
later imports use them unless given again, and the report says which saved settings it used.\n\n\
Examples:\n  inkguard import catalog farben.csv --supplier 'Farbwerk GmbH' --encoding windows-1252\n  \
inkguard import catalog labels.csv --supplier Dynamic --map ingredients='Full INCI' --dry-run\n  \
inkguard import catalog labels.csv --supplier Dynamic --map ingredients='Full INCI' --save-map\n  \
inkguard import catalog big.csv --supplier Dynamic --skip-invalid --report big-report.csv"
    )]
    Catalog {
        #[command(flatten)]
        options: ImportOptions,
        /// The supplier (unless the file has a supplier column)
        #[arg(long)]
        supplier: Option<String>,
        /// The kind of the file's products when no column says: pigment, anaesthetic, aftercare, other
        #[arg(long)]
        kind: Option<String>,
        /// Keep --map, --delimiter, --encoding and --kind for this supplier's later imports
        #[arg(long, requires = "supplier")]
        save_map: bool,
        /// Write every detail (line, kind, value, suggestion) to FILE as CSV
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Write the --report FILE even when it exists
        #[arg(long, requires = "report")]
        force: bool,
        /// Print the counts only
        #[arg(long)]
        quiet: bool,
    },
    /// List the imports (batches): file, its hash, time, actor, counts
    #[command(
        long_about = "List the catalog imports, oldest first: each is a batch with its id, the \
file and its SHA-256 hash, the time, who imported it, the supplier, what it did (products new, \
changed, unchanged; formulations; lots; invalid rows) and whether it was undone.\n\n\
Examples:\n  inkguard import history\n  inkguard import history --format csv > imports.csv"
    )]
    History,
    /// Take back an import: remove what it added, restore what it changed
    #[command(
        long_about = "Take back a catalog import (a batch of `import history`): the products, \
formulations and lots it added are removed, and the product names, shades, kinds and lot expiry \
dates it changed are put back as they were. Nothing is done when a patch test, treatment, \
sensitivity or lot flag points at what it added, or a later import changed the same products: \
the error names each. The undo is audited and all or nothing.\n\n\
Example: inkguard import undo 3"
    )]
    Undo {
        /// The batch id, as `import history` lists it
        batch: i64,
    },
    /// Import reference substances (the EU CosIng inventory, or name,cas,ec,ci,synonyms)
    #[command(
        long_about = "Import reference substances: the EU CosIng inventory export as \
published, or a plain CSV with the columns name,cas,ec,ci,synonyms (synonyms separated by ;). \
A row whose name is known adds the identifiers that substance lacks.\n\n\
Example: inkguard import substances COSING_Ingredients-Fragrance_Inventory_v2.csv"
    )]
    Substances {
        #[command(flatten)]
        options: ImportOptions,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write the catalog as one-row-per-ingredient CSV
    #[command(
        long_about = "Write the catalog (current formulations and their lots) as \
one-row-per-ingredient CSV with a supplier column, which `import catalog` reads back to the same \
catalog.\n\nExample: inkguard export catalog --supplier 'Farbwerk GmbH' > farbwerk.csv"
    )]
    Catalog {
        /// Only this supplier's products
        #[arg(long)]
        supplier: Option<String>,
        /// Write to this file instead of standard output
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the output file when it exists (never a database)
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProductCommand {
    /// List products
    List {
        /// Only this supplier's products
        #[arg(long)]
        supplier: Option<String>,
        /// Only products of this kind: pigment, anaesthetic, aftercare, other
        #[arg(long)]
        kind: Option<String>,
        /// Only products whose code, name or shade contains this text
        #[arg(long)]
        search: Option<String>,
    },
    /// Show a product: its current formulation, earlier ones, lots and restriction flags
    #[command(
        long_about = "Show a product: its current formulation with every ingredient's \
identifiers and concentration, earlier formulations, lots, and the EU restrictions its \
ingredients fall under. PRODUCT is its code, SUPPLIER/CODE, or its name.\n\n\
Example: inkguard product show 'Farbwerk GmbH/FW-101'"
    )]
    Show {
        /// The product's code, SUPPLIER/CODE, or name
        product: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LotCommand {
    /// Record a lot of a product's current formulation
    Add {
        /// The product's code, SUPPLIER/CODE, or name
        product: String,
        /// The batch number
        lot: String,
        /// Expiry date, YYYY-MM-DD
        #[arg(long)]
        expires: Option<String>,
    },
    /// List a product's lots
    List {
        /// The product's code, SUPPLIER/CODE, or name
        product: String,
    },
    /// Flag a lot (a recall, a reported problem): it is then BLOCKED for everyone
    #[command(
        long_about = "Flag a lot after a recall or a reported problem. A flagged lot is \
BLOCKED for every client. Flags are kept on record. The clients treated with the lot are \
listed, with the `trace` command that lists them again.\n\n\
Example: inkguard lot flag FW-101 --lot FW25-001 --reason 'supplier recall 2026-11'"
    )]
    Flag {
        /// The product's code, SUPPLIER/CODE, or name
        product: String,
        /// The batch number
        #[arg(long)]
        lot: String,
        /// Why
        #[arg(long)]
        reason: String,
    },
}
