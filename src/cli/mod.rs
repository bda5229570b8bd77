//! The command line: clap derive types only. `main` turns them into checked plans for the
//! library; nothing else sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod catalog;
mod client;
mod patch;
mod records;

pub use catalog::{
    ExportCommand, GroupCommand, ImportCommand, ImportOptions, LotCommand, PolicyCommand,
    ProductCommand, SubstanceCommand,
};
pub use client::{ClientCommand, SensitivityCommand};
pub use patch::{
    ordered_items, ItemArg, PatchTestCommand, RelevanceArg, RelevanceCertainty, SeriesCommand,
};
pub use records::{
    AuditCommand, ReactionCommand, RecallCommand, Severity, TreatmentCommand, UserCommand,
};

#[derive(Debug, Parser)]
#[command(
    name = "inkguard",
    version,
    about = "Keeps tattoo, PMU and SMP clinics from putting a pigment into a client who is allergic to it",
    long_about = "inkguard keeps a clinic's catalog of pigments, numbing creams and aftercare products \
with their declared ingredients (imported from supplier CSV files), and tells whether a product is \
CLEAR, CAUTION or BLOCKED for a client.\n\nStart with: inkguard init",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The database file [default: $XDG_DATA_HOME/inkguard/inkguard.db]
    #[arg(
        long,
        global = true,
        env = "INKGUARD_DB",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub db: Option<PathBuf>,

    /// Who is acting, stored on every record [default: $INKGUARD_USER, else the login name]
    #[arg(
        long = "as",
        global = true,
        env = "INKGUARD_USER",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub actor: Option<String>,

    /// Output format for records
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables for people
    #[value(alias = "text")]
    Table,
    /// One JSON document on stdout
    Json,
    /// CSV on stdout
    Csv,
    /// One self-contained printable HTML page: `patch-test report` only, so left out of every
    /// command's list (its help says it)
    #[value(hide = true)]
    Html,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (or upgrade it) and load the built-in reference
    #[command(
        long_about = "Create the database file (mode 0600, parent folders as needed), apply the \
schema and load the built-in reference of substances, groups and EU restrictions. Safe to run \
again: it upgrades and never loses data.\n\nExample: inkguard --db clinic.db init"
    )]
    Init,

    /// Substances: list, show, add an alias, merge an unverified one into a known one
    #[command(subcommand)]
    Substance(SubstanceCommand),

    /// Groups of related substances (nickel salts, formaldehyde releasers, ...)
    #[command(subcommand)]
    Group(GroupCommand),

    /// Import supplier catalogs or reference substances from CSV files
    #[command(subcommand)]
    Import(ImportCommand),

    /// Export the catalog as CSV that `import catalog` reads back
    #[command(subcommand)]
    Export(ExportCommand),

    /// Products of the catalog
    #[command(subcommand)]
    Product(ProductCommand),

    /// Lots (batches) of products
    #[command(subcommand)]
    Lot(LotCommand),

    /// Clients of the clinic
    #[command(subcommand)]
    Client(ClientCommand),

    /// A client's known sensitivities (allergies) to substances or groups
    #[command(subcommand)]
    Sensitivity(SensitivityCommand),

    /// Patch tests: apply products or substances, record ICDRG readings
    #[command(subcommand, name = "patch-test")]
    PatchTest(PatchTestCommand),

    /// Patch-test series (baseline series, T.R.U.E. panels): import, list, show
    #[command(subcommand)]
    Series(SeriesCommand),

    /// The clinic's policy for verdicts
    #[command(subcommand)]
    Policy(PolicyCommand),

    /// Build a demonstration database and walk through checks, a safe list and a refused treatment
    #[command(
        long_about = "Build a small demonstration database from the example supplier files \
(a German semicolon file in Windows-1252, a label-style file, a numbing cream), add clients with \
sensitivities and patch tests, and walk through a CLEAR, a CAUTION and a BLOCKED check, a safe \
list and a refused treatment, printing each command before its output. The database is \
./inkguard-demo.db (made anew each time) unless --db is given on the command line; \
$INKGUARD_DB is ignored, so the demo never touches a real database."
    )]
    Demo,

    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    #[command(
        long_about = "Print the completion script for a shell, made from the same definitions as --help.\n\n\
Examples:\n  inkguard completions bash > ~/.local/share/bash-completion/completions/inkguard\n  \
inkguard completions zsh > ~/.zfunc/_inkguard\n  inkguard completions fish > ~/.config/fish/completions/inkguard.fish"
    )]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff)
    #[command(
        long_about = "Print the man page in roff, made from the same definitions as --help.\n\n\
Example: inkguard man > inkguard.1 && man ./inkguard.1"
    )]
    Man,

    /// Is this product CLEAR, CAUTION or BLOCKED for this client? (exit 0, 3 or 4)
    #[command(
        long_about = "Judge a product for a client and print the verdict in plain words: one line \
per allergen, then the next step (a CLEAR alternative in stock, or patch-test it first). \
--details adds the chain behind each line (groups, relations, tests with dates and grades); \
--format json keeps every reason. \
Exit code 0 for CLEAR, 3 for CAUTION, 4 for BLOCKED. Without --lot the product's current \
formulation is judged; with --lot, the lot's own formulation, its expiry and flags.\n\n\
Examples:\n  inkguard check C-0042 FW-101 --lot FW24-001\n  inkguard check C-0042 'Numb Pro 5' --format json"
    )]
    Check {
        /// The client's code
        client: String,
        /// The product's code, SUPPLIER/CODE, or name
        product: String,
        /// The lot to be used
        #[arg(long)]
        lot: Option<String>,
        /// Show the chain behind each line: groups, relations, tests and evidence
        #[arg(long)]
        details: bool,
    },

    /// Every product that would be CLEAR for a client once patch-tested
    #[command(
        name = "safe-list",
        long_about = "List every product of the catalog whose verdict for \
the client would be CLEAR if it had been patch-tested (the no-patch-test reason is left out), \
with its patch-test status. --include-caution adds the CAUTION ones with their reasons.\n\n\
Example: inkguard safe-list C-0042 --kind pigment --include-caution"
    )]
    SafeList {
        /// The client's code
        client: String,
        /// Only this supplier's products
        #[arg(long)]
        supplier: Option<String>,
        /// Only products of this kind: pigment, anaesthetic, aftercare, other
        #[arg(long)]
        kind: Option<String>,
        /// Also list the products that would be CAUTION, with their reasons
        #[arg(long)]
        include_caution: bool,
    },

    /// Treatments: record which lots went into a client (checked first), list, information sheet
    #[command(subcommand)]
    Treatment(TreatmentCommand),

    /// Adverse reactions after a treatment
    #[command(subcommand)]
    Reaction(ReactionCommand),

    /// Recalls: import EU Safety Gate alerts, flag the lots they name, list the clients to call
    #[command(subcommand)]
    Recall(RecallCommand),

    /// Every client treated with a lot, with dates and contacts (for a recall)
    #[command(
        long_about = "List every client treated with a lot, with the dates and the contact \
data to reach them: what a recall needs.\n\nExample: inkguard trace --product FW-101 --lot FW24-001"
    )]
    Trace {
        /// The product's code, SUPPLIER/CODE, or name
        #[arg(long)]
        product: String,
        /// The lot
        #[arg(long)]
        lot: String,
    },

    /// EU tattoo-ink compliance: restricted ingredients, concentrations against limits, batch numbers
    #[command(
        long_about = "Report, per pigment, the ingredients restricted by EU REACH Annex XVII \
entry 75, their declared concentrations against the limits (or that none was declared), the label \
statements required, and products without batch numbers. Without PRODUCT, every pigment.\n\n\
Example: inkguard compliance --format json"
    )]
    Compliance {
        /// One product (its code, SUPPLIER/CODE, or name)
        product: Option<String>,
    },

    /// The audit trail: log and verification of its hash chain
    #[command(subcommand)]
    Audit(AuditCommand),

    /// Copy the live database with SQLite's online backup, then check the copy
    #[command(
        long_about = "Copy the live database in one consistent step (VACUUM INTO a temporary \
file beside FILE; others may keep working meanwhile), run an integrity check on the copy, then \
rename it to FILE: an interrupted backup leaves no partial file at FILE. FILE must not exist \
unless --force, and is never a database. Prints the audit chain's head, to keep elsewhere.\n\n\
Example: inkguard backup /mnt/usb/clinic-2026-11-23.db"
    )]
    Backup {
        /// Where to write the copy
        file: std::path::PathBuf,
        /// Replace FILE when it exists (never a database, nor the live one)
        #[arg(long)]
        force: bool,
    },

    /// Check the database: integrity, foreign keys, the audit chain, unverified substances
    #[command(
        long_about = "Run SQLite's integrity and foreign-key checks, verify the audit chain, \
and report substances left unverified. Exit 1 when the database or the audit chain is damaged; \
unverified substances are reported as warnings."
    )]
    Doctor,

    /// Serve the chair-side page: clients, verdicts, safe lists and treatments in a browser
    #[command(
        long_about = "Serve the chair-side web page from this database: find a client by code \
or name, see the client's sensitivities, patch tests and readings due, find a product by name, \
code, kind or shade, read its verdict with the reasons and a CLEAR alternative, see the safe \
list, and record a treatment through the same gate as `treatment record`. Everything is served \
by the binary. It listens on this machine only (127.0.0.1:8470) unless --listen says otherwise; \
any other address needs at least one user (`inkguard user add NAME`), and then everyone signs \
in. The URL is printed on standard error; stop with Ctrl-C.\n\n\
Example: inkguard serve\nExample: inkguard serve --listen 0.0.0.0:8470   (after: inkguard user add anna)"
    )]
    Serve {
        /// The address and port to listen on (port 0: any free port)
        #[arg(long, value_name = "ADDR", default_value = crate::serve::DEFAULT_LISTEN)]
        listen: String,
    },

    /// The people who may sign in to the chair-side page
    #[command(subcommand)]
    User(UserCommand),

    /// The clients for whom a product is BLOCKED or CAUTION
    #[command(
        long_about = "List the clients for whom a product's current formulation is BLOCKED \
or CAUTION, with the reasons: what a clinic changing supplier needs to know. Patch tests not yet \
done are not counted (every client would need one for a new product).\n\n\
Example: inkguard screen 'Acme/RF-1'"
    )]
    Screen {
        /// The product's code, SUPPLIER/CODE, or name
        product: String,
    },
}
