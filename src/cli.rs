//! The command line: clap derive types only. `main` turns them into checked plans for the
//! library; nothing else sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
Examples:\n  inkguard check C-0042 FW-101 --lot FW24-001\n  inkguard check C-0042 'Numb Pro 5' --format json\n  inkguard check 'Anna Berg' FW-101"
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
        /// Show the chain behind each line: groups, relations, tests and evidence
        #[arg(long)]
        details: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Add a client
    #[command(
        long_about = "Add a client. The code is the clinic's own and must be unique; the name \
and contact data are stored for display and recall only, never in the audit log.\n\n\
Example: inkguard client add C-0042 --name 'Alex Example' --born 1990-04-01 --phone '+49 30 1234'"
    )]
    Add {
        /// The clinic's client code, e.g. C-0042
        code: String,
        /// The client's name
        #[arg(long)]
        name: String,
        /// Date of birth, YYYY-MM-DD
        #[arg(long)]
        born: Option<String>,
        /// Phone number, for recalls
        #[arg(long)]
        phone: Option<String>,
        /// E-mail address, for recalls
        #[arg(long)]
        email: Option<String>,
        /// A note
        #[arg(long)]
        note: Option<String>,
    },
    /// List clients
    List {
        /// Only clients whose code or name contains this text
        #[arg(long)]
        search: Option<String>,
    },
    /// Show a client: sensitivities, patch tests with readings, treatments, reactions
    Show {
        /// The client's code
        code: String,
    },
    /// Everything held about a client, as one JSON document (a subject access request)
    Export {
        /// The client's code
        code: String,
    },
    /// Erase a client's personal data; the pseudonymous clinical record and audit trail stay
    #[command(
        long_about = "Remove the client's name, birth date, contact data and note, and wipe \
them from the database file and its write-ahead log (secure_delete, VACUUM, checkpoint). The \
client code, the clinical record (sensitivities, tests, treatments, reactions) and the audit \
trail stay, pseudonymous.\n\nExample: inkguard client erase C-0042 --confirm"
    )]
    Erase {
        /// The client's code
        code: String,
        /// Confirm: the personal data cannot be recovered
        #[arg(long)]
        confirm: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceArg {
    Declared,
    Physician,
    PatchTest,
    Reaction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CertaintyArg {
    Confirmed,
    Suspected,
}

#[derive(Debug, Subcommand)]
pub enum SensitivityCommand {
    /// Record a sensitivity to a substance or a group
    #[command(
        long_about = "Record a client's sensitivity to a substance (any name, synonym, CAS, \
EC or CI number) or to a group (its key or name). A target that matches nothing is refused with \
suggestions. Certainty defaults to suspected for --source reaction, confirmed otherwise.\n\n\
Examples:\n  inkguard sensitivity add C-0042 'nickel sulphate' --source patch-test\n  \
inkguard sensitivity add C-0042 PPD --source declared\n  inkguard sensitivity add C-0042 'formaldehyde releasers' --source physician"
    )]
    Add {
        /// The client's code
        client: String,
        /// A substance or a group
        target: String,
        /// Where the knowledge comes from
        #[arg(long, value_enum)]
        source: SourceArg,
        /// How sure it is [default: suspected for reaction, else confirmed]
        #[arg(long, value_enum)]
        certainty: Option<CertaintyArg>,
        /// A note (e.g. the physician's letter, the date of a test done elsewhere)
        #[arg(long)]
        note: Option<String>,
    },
    /// List a client's sensitivities, those positive tests and reactions raised included
    #[command(
        long_about = "List a client's sensitivities, each with its id: those added by hand, \
and those a positive patch test or a reaction raised (with the test item or the reaction as \
evidence). The standing column says which count: in force, retracted, lapsed (the reading that \
raised it was corrected) or resolved (a negative patch test of the substance, applied after \
what raised it, clears a suspect).\n\n\
Example: inkguard sensitivity list C-0042"
    )]
    List {
        /// The client's code
        client: String,
    },
    /// Retract a sensitivity: it stays on record but no longer counts
    #[command(
        long_about = "Retract a sensitivity, suspects a test or a reaction raised included: \
it stays on record, marked retracted with the reason, and no longer counts in any verdict.\n\n\
Example: inkguard sensitivity retract 12 --reason 'water: negative patch test elsewhere'"
    )]
    Retract {
        /// The sensitivity's id (see `sensitivity list`)
        id: i64,
        /// Why it is retracted
        #[arg(long)]
        reason: String,
    },
}

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
Example: inkguard patch-test apply C-0042 --product FW-101 --lot FW24-001 --substance 'nickel sulfate' --site 'left forearm'"
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
        test: i64,
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
        test: i64,
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
        test: i64,
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
        test: i64,
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
        test: i64,
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
        /// The CSV file
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Relation {
    SameHapten,
    CrossReactive,
    ChemicalFamily,
    CoSensitisation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnMatch {
    Block,
    Caution,
    Note,
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
        on_match: Option<OnMatch>,
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
        on_match: OnMatch,
    },
}

/// Options shared by the imports.
#[derive(Debug, Args)]
pub struct ImportOptions {
    /// The CSV file
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
catalog.\n\nExample: inkguard export catalog --supplier Farbwerk > farbwerk.csv"
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
Example: inkguard product show 'Farbwerk/FW-101'"
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
Example: inkguard lot flag FW-101 --lot L2309 --reason 'supplier recall 2026-11'"
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

#[derive(Debug, Subcommand)]
pub enum RecallCommand {
    /// Import alerts, flag the lots they name and list the clients to call
    #[command(
        long_about = "Import EU Safety Gate (RAPEX) alerts: an alert as published (one field a \
line: Alert number, Product, Name, Brand, Batch number, Risk, Measures) or a CSV of alerts (alert \
number, product, brand, batch text, hazard, measure; headers in English, German, French, Spanish \
or Italian). The lots are read from the batch text (`Lot-Nr. D 199 batch No 199 E06`; dates and \
labels left out) and compared with the catalog's lots without case, spaces, dashes and labels, \
for products whose supplier (the alert's brand) and name fit. A lot of a product that fits \
certainly is flagged, with the alert as the reason: BLOCKED for every client. A lot that may be \
meant but not certainly (a partial brand or name, a cut-off batch, several lots) is listed, not \
flagged, with the `recall confirm` command to flag it. The report lists the lots the alert \
names that matched nothing, and every client treated with a flagged lot with contacts and \
dates (--format csv: that list alone, for calling). One transaction: an alert without a batch \
text, or a file not valid in its encoding, and nothing is written. Importing the same alert \
again changes nothing.\n\n\
Examples:\n  inkguard recall import examples/safety_gate_alert.txt\n  \
inkguard recall import alerts.csv --encoding windows-1252 --format csv > to-call.csv"
    )]
    Import {
        /// The alert file, or - for standard input
        file: PathBuf,
        /// The file's encoding: utf-8, utf-16le, utf-16be, windows-1252 [default: UTF-8, or by BOM]
        #[arg(long, value_name = "E")]
        encoding: Option<String>,
    },
    /// List the imported alerts
    List,
    /// Show an alert: its lots, the lots flagged, those to confirm, and the clients to call
    #[command(
        long_about = "Show an imported alert: its fields, the lots read from its batch text, \
the catalog lots flagged for it, the lots listed for a person to confirm, the alert's lots that \
matched nothing, and every client treated with a flagged lot.\n\n\
Example: inkguard recall show A12/0097/17 --format csv"
    )]
    Show {
        /// The alert number, e.g. A12/0097/17
        alert: String,
    },
    /// Flag a lot an alert may mean, after a person has checked it
    #[command(
        long_about = "Flag a lot for an alert after a person has checked that the alert means \
it (an import lists such lots with this command). The lot is then BLOCKED for every client, \
with the alert as the reason; the clients treated with it are listed.\n\n\
Example: inkguard recall confirm A12/0097/17 --product 'Farbwerk GmbH/FW-101' --lot FW25-001"
    )]
    Confirm {
        /// The alert number
        alert: String,
        /// The product's code, SUPPLIER/CODE, or name
        #[arg(long)]
        product: String,
        /// The lot
        #[arg(long)]
        lot: String,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Severity {
    Mild,
    Moderate,
    Severe,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user who may sign in to `inkguard serve`
    #[command(
        long_about = "Add a user who may sign in to the chair-side page (`inkguard serve`). \
On a terminal the password is asked twice, without echo; with --password-stdin it is the first \
line of standard input. Only an argon2id hash of it is stored. Once a user exists, the page asks \
everyone to sign in, and the audit trail names the signed-in user.\n\n\
Example: inkguard user add anna\nExample: printf '%s\\n' \"$PASS\" | inkguard user add anna --password-stdin"
    )]
    Add {
        /// The user name, as typed at sign-in
        name: String,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password for a user
    Password {
        /// The user name
        name: String,
        /// Read the password from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the users (never their passwords)
    List,
}

#[derive(Debug, Subcommand)]
pub enum TreatmentCommand {
    /// Record a treatment: which lots were used; checked first
    #[command(
        long_about = "Record a treatment with the lots used (each --product needs the --lot \
after it). Every product is checked first: a BLOCKED one refuses the treatment (exit 4, nothing \
written, no override); a CAUTION one refuses it (exit 3) unless --override REASON, which is \
stored with the treatment.\n\n\
Example: inkguard treatment record C-0042 --product FW-101 --lot FW24-001 --area 'left forearm'"
    )]
    Record {
        /// The client's code
        client: String,
        /// A product used (repeatable, each with its --lot)
        #[arg(long, action = clap::ArgAction::Append, required = true)]
        product: Vec<String>,
        /// The lot of the --product before it
        #[arg(long, action = clap::ArgAction::Append)]
        lot: Vec<String>,
        /// Where on the body
        #[arg(long)]
        area: Option<String>,
        /// When [default: now]
        #[arg(long)]
        at: Option<String>,
        /// Go ahead despite CAUTION, for this reason (never for BLOCKED)
        #[arg(long = "override")]
        override_reason: Option<String>,
        #[arg(skip)]
        items: Vec<ItemArg>,
    },
    /// List a client's treatments
    List {
        /// The client's code
        client: String,
    },
    /// The client information sheet of a treatment
    #[command(
        long_about = "Print the client information sheet of a treatment: for each product \
used, its name, supplier, batch number, the full ingredient list in declared order, and the EU \
label statements that apply (such as \"Contains nickel. Can cause allergic reactions.\")."
    )]
    Sheet {
        /// The treatment's id
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReactionCommand {
    /// Record an adverse reaction after a treatment
    #[command(
        long_about = "Record an adverse reaction after a treatment. Every ingredient of the \
formulations used becomes a suspected sensitivity of the client, whatever earlier patch tests \
said (a reaction in the skin outweighs a negative patch test), and the lots are listed for \
tracing.\n\nExample: inkguard reaction record C-0042 --treatment 7 --onset 2026-11-25 \
--symptoms 'itching, raised red lines' --severity moderate"
    )]
    Record {
        /// The client's code
        client: String,
        /// The treatment it followed
        #[arg(long)]
        treatment: i64,
        /// When it began
        #[arg(long)]
        onset: String,
        /// What was seen
        #[arg(long)]
        symptoms: String,
        /// mild, moderate or severe
        #[arg(long, value_enum)]
        severity: Severity,
    },
    /// List a client's reactions with the treatment and lots each followed
    #[command(
        long_about = "List the adverse reactions recorded for a client, oldest first, each with \
the treatment it followed and the products and lots used then (their ingredients are the \
client's suspected sensitivities).\n\nExample: inkguard reaction list C-0042"
    )]
    List {
        /// The client's code
        client: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Show the audit trail
    Log {
        /// Only the events about this client
        #[arg(long)]
        client: Option<String>,
    },
    /// Recompute the hash chain and the records, name what does not match (exit 1)
    #[command(
        long_about = "Recompute the hash chain, check that event times never run backwards, and \
recompute the hash of every clinical record each event wrote: name the first event that does not \
match and every record changed, deleted or added without its event (exit 1). Print the chain's \
head (COUNT:HASH); keep it elsewhere (printed on paper, sent by mail each week) and give it to \
--expect later, so that removing the newest events or rewriting the whole chain is found too.\n\n\
Example: inkguard audit verify --expect 1842:9f86d081884c7d65"
    )]
    Verify {
        /// A head printed earlier (COUNT:HASH, the hash may be shortened to 12 characters): the
        /// chain must still hold it
        #[arg(long, value_name = "HEAD")]
        expect: Option<String>,
    },
}
