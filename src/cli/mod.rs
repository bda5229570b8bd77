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

    /// Who is acting, stored on every record a command writes (commands that write only)
    /// [default: $INKGUARD_USER, else the login name]
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

/// The commands that write records (and so take `--as`), by their path below `inkguard`.
/// Every other command refuses `--as` on its command line: there is no one to record.
pub const WRITING_COMMANDS: &[&str] = &[
    "init",
    "demo",
    "substance alias",
    "substance merge",
    "group add",
    "group add-member",
    "group set",
    "import catalog",
    "import undo",
    "import substances",
    "lot add",
    "lot flag",
    "client add",
    "client erase",
    "sensitivity add",
    "sensitivity retract",
    "patch-test apply",
    "patch-test irradiate",
    "patch-test relevance",
    "patch-test read",
    "series import",
    "policy set",
    "treatment record",
    "reaction record",
    "recall import",
    "recall confirm",
    "serve",
    "user add",
    "user password",
];

/// The commands that print records as CSV with `--format csv` (one CSV document on stdout, a
/// header row, the fields of the JSON records). Every other command refuses `--format csv`
/// before it runs, naming the formats it has: a table where CSV was asked for would be read by
/// a program as data.
pub const CSV_COMMANDS: &[&str] = &[
    "substance list",
    "group list",
    "import history",
    "export catalog",
    "product list",
    "lot list",
    "client list",
    "sensitivity list",
    "series list",
    "series show",
    "policy show",
    "safe-list",
    "screen",
    "treatment list",
    "reaction list",
    "recall import",
    "recall list",
    "recall show",
    "trace",
    "audit log",
    "user list",
];

/// Whether the command at this path prints CSV with `--format csv`.
pub fn offers_csv(path: &[&str]) -> bool {
    CSV_COMMANDS.contains(&path.join(" ").as_str())
}

/// Whether the command at this path (`["patch-test", "read"]`) writes records.
pub fn writes(path: &[&str]) -> bool {
    WRITING_COMMANDS.contains(&path.join(" ").as_str())
}

/// The command line as clap builds it from the derive types, with the global flags shown once:
/// on `inkguard --help`, not on every subcommand's (each still accepts them before or after its
/// name, SPEC 1). `--as` shows on the help of the commands that write, the only ones that take it.
/// Everything that parses, completes or documents the command line starts here.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let root = Cli::command();
    let globals: Vec<clap::Arg> = root
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    let root = root.after_help(
        "Global options (--db, --as, --format) go before or after the command's name; --as is taken only by commands that write records.",
    );
    root.mut_subcommands(|sc| hide_globals(sc, &[], &globals))
}

/// Gives a subcommand (and its own subcommands) hidden copies of the global flags, which keep
/// clap from showing the root's copies in their help; `--as` stays visible on writing commands.
fn hide_globals(sc: clap::Command, parent: &[&str], globals: &[clap::Arg]) -> clap::Command {
    let name = sc.get_name().to_string();
    let mut path: Vec<&str> = parent.to_vec();
    path.push(&name);
    let leaf = !sc.has_subcommands();
    let mut sc = sc;
    for arg in globals {
        let show = leaf && arg.get_id() == "actor" && writes(&path);
        sc = sc.arg(arg.clone().hide(!show));
    }
    if leaf {
        sc = sc.after_help("Global options: --db PATH, --format FORMAT (see inkguard --help).");
    }
    let path: Vec<String> = path.iter().map(|p| p.to_string()).collect();
    sc.mut_subcommands(|child| {
        let parent: Vec<&str> = path.iter().map(String::as_str).collect();
        hide_globals(child, &parent, globals)
    })
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
        long_about = "Print the completion script for a shell. On every Tab it asks inkguard itself, \
which completes commands and flags from the same definitions as --help, and client codes, \
products and lots from the database (read only; nothing when there is none).\n\n\
Examples:\n  inkguard completions bash > ~/.local/share/bash-completion/completions/inkguard\n  \
inkguard completions zsh > ~/.zfunc/_inkguard\n  inkguard completions fish > ~/.config/fish/completions/inkguard.fish"
    )]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page of inkguard or of one command (roff), or write them all to a folder
    #[command(
        long_about = "Print the man page in roff, made from the same definitions as --help: \
inkguard's own, or a command's (inkguard man patch-test read). With --dir, write one page per \
command (inkguard.1, inkguard-check.1, inkguard-patch-test-read.1, ...) into DIR.\n\n\
Examples:\n  inkguard man > inkguard.1 && man ./inkguard.1\n  inkguard man check\n  \
inkguard man --dir ~/.local/share/man/man1"
    )]
    Man {
        /// The command whose page to print, e.g. check, or patch-test read
        command: Vec<String>,
        /// Write every page into this folder instead
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        dir: Option<PathBuf>,
    },

    /// Is this product CLEAR, CAUTION or BLOCKED for this client? (exit 0, 3 or 4)
    #[command(
        long_about = "Judge a product for a client and print the verdict in plain words: one line \
per allergen, then the next step (a CLEAR alternative in stock, or patch-test it first). \
--details adds the chain behind each line (groups, relations, tests with dates and grades); \
--format json keeps every reason. \
Exit code 0 for CLEAR, 3 for CAUTION, 4 for BLOCKED. Without --lot the product's current \
formulation is judged; with --lot, the lot's own formulation, its expiry and flags.\n\n\
Examples:\n  inkguard check C-0042 FW-101 --lot FW25-001\n  inkguard check C-0042 'Numb Pro 5' --format json\n  inkguard check 'Alex Example' FW-101"
    )]
    Check {
        /// The client's code, or name when only one client bears it
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
        /// The client's code, or name when only one client bears it
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
data to reach them: what a recall needs.\n\nExample: inkguard trace --product 'Taupe Brow' --lot TB-2502"
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
Example: inkguard screen 'Lumen Pigments/Night Blue'"
    )]
    Screen {
        /// The product's code, SUPPLIER/CODE, or name
        product: String,
        /// Show the chain behind each line: groups, relations, tests and evidence
        #[arg(long)]
        details: bool,
    },
}
