//! Per-supplier settings (`--save-map`): what a supplier's import was given, merged with what
//! was saved for it. Flags given on the command line win, field by field for `--map`.

use super::super::headers::Mapping;
use crate::db::import::SupplierSettings;
use crate::error::Result;

/// The settings an import runs with, and the saved ones it used (as flags, for the report).
pub fn merge(
    given: &SupplierSettings,
    saved: Option<&SupplierSettings>,
) -> Result<(SupplierSettings, Vec<String>)> {
    let mut used = Vec::new();
    let Some(saved) = saved else {
        return Ok((given.clone(), used));
    };
    let mut maps = given.maps.clone();
    let given_fields: Vec<_> = given
        .maps
        .iter()
        .map(|m| Mapping::parse(m).map(|m| m.field))
        .collect::<Result<_>>()?;
    for m in &saved.maps {
        // A saved map a later version cannot read is left out rather than failing every import.
        let Ok(parsed) = Mapping::parse(m) else {
            continue;
        };
        if !given_fields.contains(&parsed.field) {
            used.push(format!("--map {m}"));
            maps.push(m.clone());
        }
    }
    let mut pick = |flag: &str, given: &Option<String>, saved: &Option<String>| match (given, saved)
    {
        (Some(g), _) => Some(g.clone()),
        (None, Some(s)) => {
            used.push(format!("--{flag} {s}"));
            Some(s.clone())
        }
        (None, None) => None,
    };
    let merged = SupplierSettings {
        maps,
        delimiter: pick("delimiter", &given.delimiter, &saved.delimiter),
        encoding: pick("encoding", &given.encoding, &saved.encoding),
        kind: pick("kind", &given.kind, &saved.kind),
    };
    Ok((merged, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(maps: &[&str], delimiter: Option<&str>, kind: Option<&str>) -> SupplierSettings {
        SupplierSettings {
            maps: maps.iter().map(|m| m.to_string()).collect(),
            delimiter: delimiter.map(str::to_string),
            encoding: None,
            kind: kind.map(str::to_string),
        }
    }

    #[test]
    fn saved_settings_fill_in_what_was_not_given() {
        let saved = settings(
            &["ingredients=Full INCI", "code=SKU"],
            Some(";"),
            Some("aftercare"),
        );
        let given = settings(&["code=Art.-Nr."], None, None);
        let (merged, used) = merge(&given, Some(&saved)).unwrap();
        assert_eq!(merged.maps, vec!["code=Art.-Nr.", "ingredients=Full INCI"]);
        assert_eq!(merged.delimiter.as_deref(), Some(";"));
        assert_eq!(merged.kind.as_deref(), Some("aftercare"));
        assert_eq!(
            used,
            vec![
                "--map ingredients=Full INCI",
                "--delimiter ;",
                "--kind aftercare"
            ]
        );
    }

    #[test]
    fn given_flags_override_saved_ones() {
        let saved = settings(&["ingredients=Full INCI"], Some(";"), None);
        let given = settings(&["ingredients=INCI"], Some(","), None);
        let (merged, used) = merge(&given, Some(&saved)).unwrap();
        assert_eq!(merged, given);
        assert!(used.is_empty());
    }

    #[test]
    fn without_saved_settings_the_given_ones_stand() {
        let given = settings(&["ingredients=INCI"], None, None);
        let (merged, used) = merge(&given, None).unwrap();
        assert_eq!(merged, given);
        assert!(used.is_empty());
    }
}
