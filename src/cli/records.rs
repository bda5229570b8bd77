//! Records: recalls, users, treatments, reactions, the audit trail.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use super::ItemArg;
use crate::ids::TreatmentId;

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
Example: inkguard recall show A12/01234/26 --format csv"
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
Example: inkguard recall confirm A12/01302/26 --product 'Lumen Pigments/Rose Petal' --lot RP-2501"
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
Example: inkguard treatment record C-0042 --product 'Taupe Brow' --lot TB-2502 --area eyebrows"
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
        id: TreatmentId,
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
        treatment: TreatmentId,
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
