//! What the engine answers with: the levels and verdicts, and each reason with the ingredient
//! it is about, the evidence it rests on and the group it runs through.

use serde::Serialize;

use super::{
    Certainty, Outcome, PatchTestId, Relation, SensitivityId, Source, SubstanceId, TargetKind,
};

/// How severe a reason is. Ordered: `Info < Note < Caution < Block`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not a group's on-match value, so not offered on the command line.
    #[value(skip)]
    Info,
    Note,
    Caution,
    Block,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Note => "note",
            Level::Caution => "caution",
            Level::Block => "block",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "info" => Some(Level::Info),
            "note" => Some(Level::Note),
            "caution" => Some(Level::Caution),
            "block" => Some(Level::Block),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Clear,
    Caution,
    Blocked,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clear => "clear",
            Verdict::Caution => "caution",
            Verdict::Blocked => "blocked",
        }
    }

    /// The exit code of `check`: 0 CLEAR, 3 CAUTION, 4 BLOCKED.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Clear => 0,
            Verdict::Caution => 3,
            Verdict::Blocked => 4,
        }
    }

    pub(super) fn of(level: Option<Level>) -> Verdict {
        match level {
            Some(Level::Block) => Verdict::Blocked,
            Some(Level::Caution) => Verdict::Caution,
            _ => Verdict::Clear,
        }
    }
}

/// The ingredient a reason is about, with its substance's CAS and CI numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IngredientRef {
    #[serde(skip)]
    pub substance_id: SubstanceId,
    pub name: String,
    pub declared_as: String,
    pub substance: String,
    pub cas: Vec<String>,
    pub ci: Vec<String>,
    pub may_contain: bool,
    /// Why the declaration is in doubt: name and numbers that disagree.
    pub doubt: Option<String>,
}

/// What a reason rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Because {
    Sensitivity {
        /// The sensitivity's id; `null` for one a patch test or a reaction implies.
        id: Option<SensitivityId>,
        target: String,
        target_kind: TargetKind,
        source: Source,
        certainty: Certainty,
        evidence: Option<String>,
    },
    PatchTest {
        id: PatchTestId,
        item: i64,
        applied_at: String,
        outcome: Outcome,
        grade: Option<String>,
        read_at: Option<String>,
        day: Option<i64>,
    },
    Lot {
        lot: String,
        detail: String,
    },
    Restriction {
        jurisdiction: String,
        rule: String,
        limit_mg_per_kg: Option<f64>,
        declared_max_mg_per_kg: Option<f64>,
        source: String,
    },
    Policy {
        key: String,
        value: String,
    },
}

/// The group through which an ingredient relates to a sensitivity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Via {
    pub group: String,
    pub name: String,
    pub relation: Relation,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub level: Level,
    pub code: &'static str,
    pub message: String,
    pub ingredient: Option<IngredientRef>,
    pub because: Option<Because>,
    pub via: Option<Via>,
}
