//! The facts a verdict is made of, as plain data. The database layer fills them
//! (`db::facts`); tests build them by hand.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{Grade, Level};

pub use crate::ids::{FormulationId, GroupId, PatchTestId, SensitivityId, SubstanceId};

/// What a sensitivity is to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Substance(SubstanceId),
    Group(GroupId),
}

impl Target {
    pub fn kind(self) -> TargetKind {
        match self {
            Target::Substance(_) => TargetKind::Substance,
            Target::Group(_) => TargetKind::Group,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    Substance,
    Group,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Substance => "substance",
            TargetKind::Group => "group",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Declared,
    Physician,
    PatchTest,
    Reaction,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Declared => "declared",
            Source::Physician => "physician",
            Source::PatchTest => "patch-test",
            Source::Reaction => "reaction",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        match text {
            "declared" => Some(Source::Declared),
            "physician" => Some(Source::Physician),
            "patch-test" => Some(Source::PatchTest),
            "reaction" => Some(Source::Reaction),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Certainty {
    Confirmed,
    Suspected,
}

impl Certainty {
    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::Confirmed => "confirmed",
            Certainty::Suspected => "suspected",
        }
    }

    pub fn parse(text: &str) -> Option<Certainty> {
        match text {
            "confirmed" => Some(Certainty::Confirmed),
            "suspected" => Some(Certainty::Suspected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    SameHapten,
    CrossReactive,
    ChemicalFamily,
    CoSensitisation,
}

impl Relation {
    pub fn parse(text: &str) -> Option<Relation> {
        match text {
            "same-hapten" => Some(Relation::SameHapten),
            "cross-reactive" => Some(Relation::CrossReactive),
            "chemical-family" => Some(Relation::ChemicalFamily),
            "co-sensitisation" => Some(Relation::CoSensitisation),
            _ => None,
        }
    }

    /// The reason code a match through a group of this relation gives (SPEC 5).
    pub fn reason_code(self) -> &'static str {
        match self {
            Relation::SameHapten => "same-hapten",
            Relation::CrossReactive | Relation::ChemicalFamily => "cross-reactive",
            Relation::CoSensitisation => "co-sensitisation",
        }
    }

    /// How the relation reads in a sentence: "X ... Y".
    pub fn phrase(self) -> &'static str {
        match self {
            Relation::SameHapten => "carries the same allergen as",
            Relation::CrossReactive => "often cross-reacts with",
            Relation::ChemicalFamily => "is of one chemical family with",
            Relation::CoSensitisation => "is often found together with",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::SameHapten => "same-hapten",
            Relation::CrossReactive => "cross-reactive",
            Relation::ChemicalFamily => "chemical-family",
            Relation::CoSensitisation => "co-sensitisation",
        }
    }
}

/// The clinic's policy (SPEC 4), with its defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub require_patch_test: bool,
    pub patch_test_valid_days: i64,
    pub min_negative_reading_hours: f64,
    /// The days after application at which a patch test is read (`2,4,7`).
    pub reading_days: Vec<i64>,
    pub suspected: Level,
    pub declared: Level,
    pub unverified_ingredients: Level,
    pub regulatory: Level,
    /// `None` for `jurisdiction none`.
    pub jurisdiction: Option<String>,
    /// The clinic's zone: its calendar dates decide expiry and when restrictions apply.
    pub timezone: chrono_tz::Tz,
}

impl Default for Policy {
    /// The defaults of the policy table (`crate::policy`), stated there once.
    fn default() -> Self {
        crate::policy::defaults()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: GroupId,
    pub key: String,
    pub name: String,
    pub relation: Relation,
    pub on_match: Level,
    /// Every member, listed or inferred.
    pub members: Vec<SubstanceId>,
    /// The members inferred from their names (SPEC 2: a parent moiety as a word of the name).
    pub inferred: Vec<SubstanceId>,
}

impl Group {
    /// ` (inferred from the name)` when the substance is a member only by its name.
    pub fn membership_note(&self, substance: SubstanceId) -> &'static str {
        if self.inferred.contains(&substance) {
            " (a member inferred from its name)"
        } else {
            ""
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Restriction {
    pub substance: SubstanceId,
    pub jurisdiction: String,
    pub rule: String,
    pub limit_mg_per_kg: Option<f64>,
    pub applies_from: Option<NaiveDate>,
    pub label_statement: Option<String>,
    pub source: String,
}

impl Restriction {
    /// Whether an ingredient declared up to `max_percent` breaks this restriction on `today`
    /// (SPEC 3): a banned substance always does; a limited one when its declared maximum is
    /// above the limit or no maximum is declared; one declared below its limit does not. Returns
    /// what a technician reads: "is limited to 5 mg/kg ... and up to 10 mg/kg is declared".
    pub fn breach(&self, max_percent: Option<f64>, today: NaiveDate) -> Option<String> {
        if self.applies_from.is_some_and(|from| from > today) {
            return None;
        }
        let j = &self.jurisdiction;
        match (self.rule.as_str(), self.limit_mg_per_kg) {
            ("banned-in-tattoo-pmu", _) => Some(format!("is banned in tattoo and PMU inks ({j})")),
            (_, Some(limit)) => match max_percent.map(|p| p * 10_000.0) {
                None => Some(format!(
                    "is limited to {limit} mg/kg in tattoo and PMU inks ({j}) and no maximum concentration is declared"
                )),
                Some(max) if max > limit => Some(format!(
                    "is limited to {limit} mg/kg in tattoo and PMU inks ({j}) and up to {} mg/kg is declared",
                    super::trim_number(max)
                )),
                Some(_) => None,
            },
            _ => None,
        }
    }
}

/// What holds for every client and product: the time, the policy, groups and restrictions.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub now: DateTime<Utc>,
    pub policy: Policy,
    groups: Vec<Group>,
    groups_by_substance: HashMap<SubstanceId, Vec<usize>>,
    restrictions: HashMap<SubstanceId, Vec<Restriction>>,
}

impl World {
    pub fn new(
        now: DateTime<Utc>,
        policy: Policy,
        groups: Vec<Group>,
        restrictions: Vec<Restriction>,
    ) -> World {
        let groups_by_substance = super::index_groups(&groups);
        let mut by_substance: HashMap<SubstanceId, Vec<Restriction>> = HashMap::new();
        for r in restrictions {
            by_substance.entry(r.substance).or_default().push(r);
        }
        World {
            now,
            policy,
            groups,
            groups_by_substance,
            restrictions: by_substance,
        }
    }

    /// The date in the clinic's zone: a lot expiring on it is still usable today.
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.policy.timezone).date_naive()
    }

    pub fn group(&self, id: GroupId) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub fn groups_of(&self, substance: SubstanceId) -> impl Iterator<Item = &Group> {
        self.groups_by_substance
            .get(&substance)
            .into_iter()
            .flatten()
            .map(|i| &self.groups[*i])
    }

    pub fn restrictions_of(&self, substance: SubstanceId) -> &[Restriction] {
        self.restrictions.get(&substance).map_or(&[], Vec::as_slice)
    }

    /// A substance's restrictions in the policy's jurisdiction that apply on the world's date
    /// (none under `jurisdiction none`).
    pub fn restrictions_in_force(
        &self,
        substance: SubstanceId,
    ) -> impl Iterator<Item = &Restriction> {
        let jurisdiction = self.policy.jurisdiction.as_deref();
        let today = self.today();
        self.restrictions_of(substance).iter().filter(move |r| {
            Some(r.jurisdiction.as_str()) == jurisdiction
                && r.applies_from.is_none_or(|from| from <= today)
        })
    }

    /// The label statements ("Contains nickel. ...") the restrictions in force require of a
    /// mixture holding these substances, each once, in the order first met.
    pub fn label_statements(
        &self,
        substances: impl IntoIterator<Item = SubstanceId>,
    ) -> Vec<String> {
        let mut statements: Vec<String> = Vec::new();
        for s in substances {
            for r in self.restrictions_in_force(s) {
                if let Some(statement) = &r.label_statement {
                    if !statements.contains(statement) {
                        statements.push(statement.clone());
                    }
                }
            }
        }
        statements
    }

    /// Every substance under a restriction.
    pub fn restricted_substances(&self) -> impl Iterator<Item = SubstanceId> + '_ {
        self.restrictions.keys().copied()
    }
}

/// A sensitivity as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    pub id: SensitivityId,
    pub target: Target,
    pub target_name: String,
    pub source: Source,
    pub certainty: Certainty,
    pub retracted: bool,
    pub evidence: Option<String>,
    /// The positive item or the reaction that raised it (`record`); `None` when added by hand.
    pub raised_by: Option<super::Raiser>,
    /// The target is a substance nobody has identified: it cannot be compared (SPEC 5
    /// `sensitivity-unmatched`).
    pub unverified: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemTarget {
    Substance {
        id: SubstanceId,
        name: String,
        verified: bool,
    },
    Formulation {
        id: FormulationId,
        label: String,
    },
    /// A mix of a test series (fragrance mix I, thiuram mix): a positive is a sensitivity to
    /// the group of its components, since the test cannot tell which one.
    Group {
        id: GroupId,
        name: String,
    },
}

/// A reading in force (not superseded by a correction).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub at: DateTime<Utc>,
    pub hours: f64,
    pub grade: Grade,
}

impl Reading {
    /// The reading day: D2 at 48 h, D3 at 72 h, ...
    pub fn day(&self) -> i64 {
        reading_day(self.hours)
    }
}

/// The reading day of a reading taken `hours` after application.
pub fn reading_day(hours: f64) -> i64 {
    (hours / 24.0).round() as i64
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestItem {
    pub item: i64,
    pub target: ItemTarget,
    pub readings: Vec<Reading>,
    /// On the irradiated set of a photopatch test: the number of its twin under cover.
    pub photo_of: Option<i64>,
    /// The relevance in force (`current, probable, occupational`), as the dermatologist
    /// recorded it: every reason resting on the item says it.
    pub relevance: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchTest {
    pub id: PatchTestId,
    pub applied_at: DateTime<Utc>,
    pub items: Vec<TestItem>,
    /// When the photopatch set was irradiated (UVA), if it was.
    pub irradiated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reaction {
    pub id: i64,
    pub onset: DateTime<Utc>,
    pub severity: String,
    pub formulations: Vec<FormulationId>,
}

/// A substance in a formulation that a test or reaction names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Content {
    pub substance: SubstanceId,
    /// Declared as *may contain*: it may have been absent from the lot that was tested.
    pub may_contain: bool,
    pub verified: bool,
}

/// Everything about one client that a verdict uses: self-contained, with the contents and the
/// names of every formulation and substance its tests and reactions name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientFacts {
    pub code: String,
    pub sensitivities: Vec<Sensitivity>,
    pub tests: Vec<PatchTest>,
    pub reactions: Vec<Reaction>,
    pub formulations: BTreeMap<FormulationId, Vec<Content>>,
    pub names: BTreeMap<SubstanceId, String>,
}

impl ClientFacts {
    pub fn substance_name(&self, id: SubstanceId) -> &str {
        self.names.get(&id).map_or("?", String::as_str)
    }

    /// What a formulation holds, may-contain ingredients included.
    pub fn contents(&self, id: FormulationId) -> &[Content] {
        self.formulations.get(&id).map_or(&[], Vec::as_slice)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ingredient {
    pub substance: SubstanceId,
    pub substance_name: String,
    pub declared_as: String,
    pub cas: Vec<String>,
    pub ci: Vec<String>,
    pub verified: bool,
    pub may_contain: bool,
    pub max_percent: Option<f64>,
    /// Why the declaration is in doubt (`declared as "Benzocaine" with the CAS of Lidocaine`):
    /// every reason about it says so.
    pub doubt: Option<String>,
}

impl Ingredient {
    /// `Nickel (declared as "Nickel (Verunreinigung)")`, or with its doubt:
    /// `Lidocaine (declared as "Benzocaine" with the CAS of Lidocaine)`.
    pub fn label(&self) -> String {
        if let Some(doubt) = &self.doubt {
            return format!("{} ({doubt})", self.substance_name);
        }
        if crate::ident::normalize_name(&self.declared_as)
            == crate::ident::normalize_name(&self.substance_name)
        {
            self.substance_name.clone()
        } else {
            format!(
                "{} (declared as {:?})",
                self.substance_name, self.declared_as
            )
        }
    }

    pub fn reference(&self) -> super::IngredientRef {
        super::IngredientRef {
            substance_id: self.substance,
            name: self.substance_name.clone(),
            declared_as: self.declared_as.clone(),
            substance: self.substance_name.clone(),
            cas: self.cas.clone(),
            ci: self.ci.clone(),
            may_contain: self.may_contain,
            doubt: self.doubt.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LotFlag {
    pub reason: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LotFacts {
    pub lot: String,
    pub expires: Option<NaiveDate>,
    pub flags: Vec<LotFlag>,
}

/// `SUPPLIER/CODE (name)`, or `SUPPLIER/CODE` when the code is the name.
pub fn product_label(supplier: &str, code: &str, name: &str) -> String {
    if crate::ident::normalize_name(name) == crate::ident::normalize_name(code) {
        format!("{supplier}/{code}")
    } else {
        format!("{supplier}/{code} ({name})")
    }
}

/// One formulation of a product (and a lot of it) as judged.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductFacts {
    pub supplier: String,
    pub code: String,
    pub name: String,
    pub formulation_id: FormulationId,
    pub version: i64,
    /// EU entry 75 applies to tattoo and PMU mixtures: pigments, not numbing creams or balms.
    pub kind_is_tattoo_ink: bool,
    pub lot: Option<LotFacts>,
    pub ingredients: Vec<Ingredient>,
}

impl ProductFacts {
    pub fn label(&self) -> String {
        product_label(&self.supplier, &self.code, &self.name)
    }
}
