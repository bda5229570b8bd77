//! Clients and their sensitivities.

use clap::Subcommand;

use crate::ids::SensitivityId;
use crate::screening::{Certainty, Source};

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
        source: Source,
        /// How sure it is [default: suspected for reaction, else confirmed]
        #[arg(long, value_enum)]
        certainty: Option<Certainty>,
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
        id: SensitivityId,
        /// Why it is retracted
        #[arg(long)]
        reason: String,
    },
}
