//! A patch-test series file (SPEC 4 "Patch-test series"): records -> checked rows, with no
//! database. One row per allergen: position, name, CAS (optional), concentration as written
//! (`1 %`), vehicle (`pet.`, `aq.`, `alc.`) and the row's source. Lines starting with `#` are
//! comments. A file with a `panel` column (the T.R.U.E. test's three panels) is numbered in file
//! order, and each row keeps its position as written (`panel 1.3 no. 5`).

use std::collections::BTreeMap;

use crate::ident::{normalize_name, Cas};

/// One allergen of a series as checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    pub line: u64,
    pub position: i64,
    /// The position as written, when it differs from `position`.
    pub label: Option<String>,
    pub name: String,
    pub cas: Option<String>,
    pub concentration: Option<String>,
    pub vehicle: Option<String>,
    pub source: Option<String>,
    /// A control (`Negative Control`, `petrolatum control`): applied and read, tests nothing.
    pub control: bool,
}

/// A row that cannot be a series allergen, with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Default)]
struct Columns {
    position: Option<usize>,
    panel: Option<usize>,
    name: Option<usize>,
    cas: Option<usize>,
    concentration: Option<usize>,
    vehicle: Option<usize>,
    source: Option<usize>,
}

fn columns(header: &[String]) -> Columns {
    let mut c = Columns::default();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        let slot = if h == "panel" {
            &mut c.panel
        } else if matches!(
            h.as_str(),
            "position" | "pos" | "pos." | "no" | "no." | "nr" | "#"
        ) {
            &mut c.position
        } else if h.contains("cas") {
            &mut c.cas
        } else if h.contains("conc") || h == "%" {
            &mut c.concentration
        } else if h.contains("vehicle") {
            &mut c.vehicle
        } else if h.contains("source") || h.contains("reference") || h.contains("citation") {
            &mut c.source
        } else if h.contains("allergen") || h.contains("name") || h.contains("substance") {
            &mut c.name
        } else {
            continue;
        };
        if slot.is_none() {
            *slot = Some(i);
        }
    }
    c
}

/// `pet`, `Pet.`, `petrolatum` -> `pet.`; `aq`, `water` -> `aq.`; `alc`, `ethanol` -> `alc.`;
/// any other vehicle (`acet.`, `o.o.`) as written.
pub fn vehicle(text: &str) -> String {
    match text
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase()
        .as_str()
    {
        "pet" | "petrolatum" | "vaseline" => "pet.".into(),
        "aq" | "water" => "aq.".into(),
        "alc" | "ethanol" | "alcohol" => "alc.".into(),
        _ => text.trim().to_string(),
    }
}

/// A concentration as written must start with a positive number; a percentage (or a bare
/// number, read as one) is at most 100.
fn check_concentration(text: &str) -> Result<(), String> {
    let t = text.trim();
    let number: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    let value: f64 = number.replace(',', ".").parse().map_err(|_| {
        format!("concentration {t:?} does not start with a number (write it as `1 %`)")
    })?;
    let unit = t[number.len()..].trim();
    if value <= 0.0 || !value.is_finite() {
        return Err(format!("concentration {t:?} is not above zero"));
    }
    if (unit.is_empty() || unit.starts_with('%')) && value > 100.0 {
        return Err(format!("concentration {t:?} is more than 100 %"));
    }
    Ok(())
}

/// Whether a row is a control rather than an allergen.
pub fn is_control(name: &str) -> bool {
    let lower = name.to_lowercase();
    let n = normalize_name(name);
    lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == "control")
        || n == normalize_name("petrolatum")
        || n == normalize_name("placebo")
}

/// Reads the records of a series file (`(line, fields)`, header included) into rows, or every
/// problem found. Positions must be whole numbers from 1, each once.
pub fn parse(records: &[(u64, Vec<String>)]) -> Result<Vec<SeriesRow>, Vec<Rejected>> {
    let mut records = records.iter().filter(|(_, r)| {
        let first = r.first().map_or("", |f| f.trim());
        !(first.starts_with('#') || r.iter().all(|f| f.trim().is_empty()))
    });
    let Some((header_line, header)) = records.next() else {
        return Err(vec![Rejected {
            line: 1,
            reason: "the file has no header row (position, allergen, cas, concentration, vehicle)"
                .into(),
        }]);
    };
    let c = columns(header);
    let Some(name_col) = c.name else {
        return Err(vec![Rejected {
            line: *header_line,
            reason: format!(
                "no allergen column among {:?}: name one `allergen` (or `name`, `substance`)",
                header
            ),
        }]);
    };
    let field = |r: &Vec<String>, i: Option<usize>| -> Option<String> {
        i.and_then(|i| r.get(i))
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
    };
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    let mut seen: BTreeMap<i64, u64> = BTreeMap::new();
    for (n, (line, r)) in records.enumerate() {
        let line = *line;
        let mut reject = |reason: String| rejected.push(Rejected { line, reason });
        let Some(name) = field(r, Some(name_col)) else {
            reject("no allergen name".into());
            continue;
        };
        let written = field(r, c.position);
        let (position, label) = match (c.panel, &written) {
            (Some(_), _) => {
                let panel = field(r, c.panel).unwrap_or_default();
                let label = match &written {
                    Some(p) => format!("panel {panel} no. {p}"),
                    None => format!("panel {panel}"),
                };
                (n as i64 + 1, Some(label))
            }
            (None, None) => (n as i64 + 1, None),
            (None, Some(p)) => match p.parse::<i64>() {
                Ok(p) if p >= 1 => (p, None),
                _ => {
                    reject(format!("position {p:?} is not a whole number from 1"));
                    continue;
                }
            },
        };
        if let Some(first) = seen.insert(position, line) {
            reject(format!("position {position} is also on line {first}"));
            continue;
        }
        let cas = match field(r, c.cas) {
            None => None,
            Some(text) => match Cas::parse(&text) {
                Ok(cas) => Some(cas.as_str().to_string()),
                Err(e) => {
                    reject(format!("CAS {text:?} of {name:?}: {e}"));
                    continue;
                }
            },
        };
        let concentration = field(r, c.concentration);
        if let Some(text) = &concentration {
            if let Err(e) = check_concentration(text) {
                reject(format!("{name}: {e}"));
                continue;
            }
        }
        rows.push(SeriesRow {
            line,
            position,
            label,
            control: is_control(&name),
            name,
            cas,
            concentration,
            vehicle: field(r, c.vehicle).map(|v| vehicle(&v)),
            source: field(r, c.source),
        });
    }
    if rows.is_empty() && rejected.is_empty() {
        rejected.push(Rejected {
            line: *header_line,
            reason: "the series has no allergen".into(),
        });
    }
    if rejected.is_empty() {
        rows.sort_by_key(|r| r.position);
        Ok(rows)
    } else {
        Err(rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<(u64, Vec<String>)> {
        text.lines()
            .enumerate()
            .map(|(i, l)| (i as u64 + 1, l.split(',').map(str::to_string).collect()))
            .collect()
    }

    #[test]
    fn a_series_row_keeps_concentration_as_written_and_normalises_the_vehicle() {
        let rows = parse(&records(
            "# comment, with commas\nposition,allergen,cas,concentration,vehicle,source\n1,Nickel sulfate,10101-97-0,5 %,Pet,ESCD\n2,Formaldehyde,,2 %,aq,ESCD",
        ))
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].concentration.as_deref(), Some("5 %"));
        assert_eq!(rows[0].vehicle.as_deref(), Some("pet."));
        assert_eq!(rows[0].cas.as_deref(), Some("10101-97-0"));
        assert_eq!(rows[1].vehicle.as_deref(), Some("aq."));
        assert_eq!(rows[1].source.as_deref(), Some("ESCD"));
    }

    #[test]
    fn a_panel_file_is_numbered_in_file_order_and_keeps_its_positions_as_labels() {
        let rows = parse(&records(
            "panel,position,allergen_name_as_listed\n1.3,1,Nickel Sulfate\n1.3,9,Negative Control\n2.3,1,Thiuram Mix",
        ))
        .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.position).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(rows[2].label.as_deref(), Some("panel 2.3 no. 1"));
        assert!(rows[1].control);
        assert!(!rows[0].control);
    }

    #[test]
    fn bad_rows_are_each_named_by_line() {
        let err = parse(&records(
            "position,allergen,cas,concentration\n1,Nickel,7440-02-1,5 %\n1,Cobalt,,1 %\nx,Chromium,,1 %\n4,,,1 %\n5,Formaldehyde,,200 %\n6,Eugenol,,many",
        ))
        .unwrap_err();
        let lines: Vec<u64> = err.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7], "{err:?}");
    }

    #[test]
    fn a_file_without_an_allergen_column_is_refused() {
        assert!(parse(&records("position,cas\n1,50-00-0")).is_err());
        assert!(parse(&records("")).is_err());
        assert!(parse(&records("allergen\n")).is_err());
    }
}
