//! Groups and the reference (SPEC 2): inferred group members, reference imports that enrich
//! instead of duplicating, and the built-in reference.

use serde_json::Value;

use crate::support::{realdata, Work};

/// Imports a small `name,cas` substance file written into the work folder.
fn import_names(w: &Work, names: &[&str]) {
    let mut text = String::from("name,cas\n");
    for n in names {
        text.push_str(&format!("\"{n}\",\n"));
    }
    let file = w.path("names.csv");
    std::fs::write(&file, text).unwrap();
    w.run(&["import", "substances", file.to_str().unwrap()])
        .ok();
}

/// The members of a group as `group show` gives them: (key, inferred).
fn members(w: &Work, group: &str) -> Vec<(String, bool)> {
    let g = w
        .run(&["group", "show", group, "--format", "json"])
        .ok()
        .json();
    g["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["key"].as_str().unwrap().to_string(),
                m["inferred"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn membership(w: &Work, group: &str, key: &str) -> Option<bool> {
    members(w, group)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, inferred)| inferred)
}

#[test]
fn group_show_lists_a_substance_named_after_a_parent_as_an_inferred_member() {
    let w = Work::new();
    import_names(
        &w,
        &["Nickel gluconate", "Nickelate blue", "m-Phenylenediamine"],
    );
    assert_eq!(
        membership(&w, "nickel-compounds", "nickel-gluconate"),
        Some(true)
    );
    assert_eq!(
        membership(&w, "nickel-compounds", "nickel-sulfate"),
        Some(false)
    );
    assert_eq!(membership(&w, "nickel-compounds", "nickelate-blue"), None);
    assert_eq!(
        membership(&w, "p-phenylenediamine-forms", "m-phenylenediamine"),
        None
    );
    w.run(&["group", "show", "nickel compounds"])
        .ok()
        .stdout_has("parents      nickel")
        .stdout_has("Nickel gluconate (nickel-gluconate) inferred");
}

#[test]
fn add_member_makes_an_inferred_member_listed_and_init_never_downgrades_it() {
    let w = Work::new();
    import_names(&w, &["Nickel gluconate"]);
    w.run(&[
        "group",
        "add-member",
        "nickel-compounds",
        "Nickel gluconate",
    ])
    .ok()
    .stdout_has("was an inferred member of nickel-compounds; it is now listed");
    assert_eq!(
        membership(&w, "nickel-compounds", "nickel-gluconate"),
        Some(false)
    );
    w.run(&["init"]).ok();
    import_names(&w, &["Nickel gluconate"]);
    assert_eq!(
        membership(&w, "nickel-compounds", "nickel-gluconate"),
        Some(false)
    );
}

#[test]
fn an_alias_or_a_merge_that_brings_a_parent_name_makes_an_inferred_member() {
    let w = Work::new();
    import_names(&w, &["Green 17 special"]);
    assert_eq!(
        membership(&w, "chromium-compounds", "green-17-special"),
        None
    );
    w.run(&[
        "substance",
        "alias",
        "Green 17 special",
        "Chromium green 17",
    ])
    .ok();
    assert_eq!(
        membership(&w, "chromium-compounds", "green-17-special"),
        Some(true)
    );

    // A catalog import makes an unverified "Cobalt blue spinel"; merged into a known pigment,
    // its name goes along and makes the pigment an inferred member.
    let file = w.path("catalog.csv");
    std::fs::write(
        &file,
        "code,name,ingredient,cas,concentration\nB-1,Blue,Cobalt blue spinel,,10\n",
    )
    .unwrap();
    w.import_path(&file, "S", &[]);
    w.run(&[
        "substance",
        "merge",
        "Cobalt blue spinel",
        "Pigment Blue 15",
    ])
    .ok();
    assert_eq!(
        membership(&w, "cobalt-compounds", "pigment-blue-15"),
        Some(true)
    );
    let merged = members(&w, "cobalt-compounds");
    assert!(
        !merged.iter().any(|(k, _)| k == "cobalt-blue-spinel"),
        "a merged substance is no member: {merged:?}"
    );
}

#[test]
fn a_new_group_with_parents_finds_its_inferred_members() {
    let w = Work::new();
    import_names(&w, &["Palladium chloride", "Palladiumoid"]);
    w.run(&[
        "group",
        "add",
        "palladium-compounds",
        "--name",
        "Palladium compounds",
        "--relation",
        "same-hapten",
        "--parents",
        "palladium",
    ])
    .ok()
    .stdout_has("1 inferred members");
    assert_eq!(
        members(&w, "palladium-compounds"),
        vec![("palladium-chloride".to_string(), true)]
    );
    w.run(&[
        "group",
        "add",
        "empty",
        "--name",
        "E",
        "--relation",
        "same-hapten",
        "--parents",
        " ; ",
    ])
    .code(1)
    .stderr_has("names no parent moiety");
}

#[test]
fn init_gives_an_older_database_the_group_parents_and_their_inferred_members() {
    let w = Work::new();
    import_names(&w, &["Nickel gluconate"]);
    {
        // As a database upgraded from version 1 is: no parents, no inferred rows.
        let conn = rusqlite::Connection::open(w.db()).unwrap();
        conn.execute_batch(
            "UPDATE groups SET parents = NULL; DELETE FROM group_members WHERE inferred = 1;",
        )
        .unwrap();
    }
    assert_eq!(membership(&w, "nickel-compounds", "nickel-gluconate"), None);
    let r = w.run(&["init", "--format", "json"]).ok().json();
    assert!(
        r["reference"]["group_parents"].as_i64().unwrap() >= 6,
        "{r}"
    );
    assert_eq!(
        membership(&w, "nickel-compounds", "nickel-gluconate"),
        Some(true)
    );
    let again = w.run(&["init", "--format", "json"]).ok().json();
    assert_eq!(again["reference"]["inferred_members"], 0, "{again}");
}

#[test]
fn the_builtin_reference_knows_pigment_blue_61_by_its_sub_numbered_colour_index() {
    let w = Work::new();
    let s = w
        .run(&["substance", "show", "CI 42765:1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(s["key"], "pigment-blue-61");
    assert_eq!(s["ci"], serde_json::json!(["CI 42765:1"]));
    // The parent dye's number is not the lake's.
    w.run(&["substance", "show", "CI 42765"]).code(1);
    assert_eq!(
        membership(&w, "ppd-tattoo-pigments", "pigment-blue-61"),
        Some(false)
    );
}

/// A nickel-allergic client and a product declaring `Nickel gluconate`.
fn nickel_gluconate_clinic() -> Work {
    let w = Work::new();
    let file = w.path("catalog.csv");
    std::fs::write(
        &file,
        "code,name,ingredient,cas,concentration\nNG-1,Nickel Green,Nickel gluconate,,1\nNG-1,Nickel Green,Glycerin,56-81-5,20\n",
    )
    .unwrap();
    w.import_path(&file, "S", &[]);
    w.run(&["client", "add", "C", "--name", "Nick"]).ok();
    w.run(&["sensitivity", "add", "C", "nickel", "--source", "physician"])
        .ok();
    w
}

fn verdict(w: &Work) -> (i32, Value) {
    let run = w.run(&["check", "C", "NG-1", "--format", "json"]);
    (run.code, run.json())
}

#[test]
fn a_nickel_allergic_client_never_gets_clear_for_nickel_gluconate_before_or_after_cosing() {
    let w = nickel_gluconate_clinic();
    let (before, doc) = verdict(&w);
    // The catalog import made it an unverified substance and, by its name, an inferred member
    // of the nickel compounds: it blocks from the start, and the reason says why.
    assert_eq!(before, 4, "BLOCKED as an inferred nickel compound: {doc}");
    assert!(doc.to_string().contains("inferred from its name"), "{doc}");
    import_names(&w, &["Nickel gluconate"]);
    let (named, doc) = verdict(&w);
    assert_eq!(named, 4, "BLOCKED as an inferred nickel compound: {doc}");
    assert!(named >= before);
    let Some(cosing) = realdata("cosing/COSING_Ingredients-Fragrance_Inventory_v2.csv") else {
        return;
    };
    let w = nickel_gluconate_clinic();
    w.run(&["import", "substances", cosing.to_str().unwrap()])
        .ok();
    let (after, doc) = verdict(&w);
    assert_eq!(after, 4, "more reference data never makes it milder: {doc}");
}

#[test]
fn after_the_cosing_inventory_salts_are_inferred_members_of_their_parent_groups() {
    let Some(cosing) = realdata("cosing/COSING_Ingredients-Fragrance_Inventory_v2.csv") else {
        return;
    };
    let w = Work::new();
    w.run(&["import", "substances", cosing.to_str().unwrap()])
        .ok();
    let key = |name: &str| -> String {
        w.run(&["substance", "show", name, "--format", "json"])
            .ok()
            .json()["key"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (name, group) in [
        ("p-Phenylenediamine sulfate", "p-phenylenediamine-forms"),
        ("Nickel gluconate", "nickel-compounds"),
        ("Cobalt titanium oxide", "cobalt-compounds"),
    ] {
        assert_eq!(
            membership(&w, group, &key(name)),
            Some(true),
            "{name} in {group}"
        );
    }
    assert_eq!(
        membership(
            &w,
            "p-phenylenediamine-forms",
            &key("m-Phenylenediamine sulfate")
        ),
        None,
        "the meta isomer is not PPD"
    );
}

/// The files of the enrichment tests, with the `--map` each needs.
const REFERENCE_FILES: &[(&str, &[&str])] = &[
    ("cosing/COSING_Ingredients-Fragrance_Inventory_v2.csv", &[]),
    ("echa/clp.csv", &["--skip-invalid"]),
    ("cosing/COSING_Annex_IV_v2.csv", &[]),
    ("echa/eu-annex-ii.csv", &[]),
    ("cosing/COSING_Annex_II_v2.csv", &[]),
];

fn import_reference(w: &Work, relative: &str, extra: &[&str]) -> Option<Value> {
    let file = realdata(relative)?;
    let mut args = vec![
        "import",
        "substances",
        file.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    Some(w.run(&args).ok().json())
}

fn key_of(w: &Work, name: &str) -> String {
    let r = w
        .run(&["substance", "show", name, "--format", "json"])
        .ok()
        .json();
    r["key"].as_str().unwrap().to_string()
}

/// Imports the reference files in this order, each twice, and checks the near-duplicates.
fn near_duplicates_are_one_substance(order: &[usize]) {
    let w = Work::new();
    for &i in order {
        let (file, extra) = REFERENCE_FILES[i];
        let Some(_) = import_reference(&w, file, extra) else {
            return;
        };
        let again = import_reference(&w, file, extra).unwrap();
        assert_eq!(
            (&again["substances"]["new"], &again["substances"]["updated"]),
            (&Value::from(0), &Value::from(0)),
            "a second import of {file} changes nothing: {}",
            again["substances"]
        );
    }
    for group in [
        &[
            "Titanium dioxide",
            "CI 77891",
            "13463-67-7",
            "TITANIUM DIOXIDE",
        ][..],
        &[
            "Carbon black",
            "carbon black (nano)",
            "CI 77266",
            "1333-86-4",
        ],
        &[
            "Nickel",
            "7440-02-0",
            "nickel powder; [particle diameter < 1 mm]",
        ],
    ] {
        let keys: Vec<String> = group.iter().map(|n| key_of(&w, n)).collect();
        assert!(
            keys.iter().all(|k| k == &keys[0]),
            "one substance: {group:?} -> {keys:?}"
        );
    }
}

#[test]
fn reference_imports_enrich_in_one_order() {
    near_duplicates_are_one_substance(&[0, 1, 2, 3, 4]);
}

#[test]
fn reference_imports_enrich_in_another_order() {
    near_duplicates_are_one_substance(&[2, 4, 1, 3, 0]);
}

#[test]
fn rows_whose_numbers_name_two_substances_are_reported_not_merged() {
    let w = Work::new();
    let file = w.path("two.csv");
    // Titanium dioxide's CAS beside carbon black's CI.
    std::fs::write(&file, "name,cas,ci\nMystery pigment,13463-67-7,CI 77266\n").unwrap();
    let r = w
        .run(&[
            "import",
            "substances",
            file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok()
        .json();
    let warning = r["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("line 2")
            && warning.contains("Titanium dioxide")
            && warning.contains("Carbon black")
            && warning.contains("nothing merged"),
        "{r}"
    );
    assert_eq!(r["substances"]["new"], 0);
    assert_eq!(key_of(&w, "13463-67-7"), "titanium-dioxide");
    w.run(&["substance", "show", "Mystery pigment"]).code(1);
}

#[test]
fn smaller_reference_lists_import_with_map_where_needed_and_twice_change_nothing() {
    for (file, extra) in [
        ("echa/restricted-ifra.csv", &["--map", "name=Title"][..]),
        (
            "patch-test/true_test_panels.csv",
            &["--map", "name=allergen_name_as_listed"],
        ),
        ("echa/ifra.csv", &[]),
        ("echa/eu-annex-iii.csv", &[]),
        ("cosing/COSING_Annex_III_v2.csv", &[]),
        ("cosing/COSING_Annex_V_v2.csv", &[]),
        ("cosing/COSING_Annex_VI_v2.csv", &[]),
    ] {
        let w = Work::new();
        let Some(first) = import_reference(&w, file, extra) else {
            return;
        };
        assert!(first["rows"].as_i64().unwrap() > 0, "{file}: {first}");
        let again = import_reference(&w, file, extra).unwrap();
        assert_eq!(
            again["substances"]["new"], 0,
            "{file}: {}",
            again["substances"]
        );
        assert_eq!(
            again["substances"]["updated"], 0,
            "{file}: {}",
            again["substances"]
        );
    }
    // The panel's "Nickel Sulfate" is the built-in one, not a second.
    let w = Work::new();
    if import_reference(
        &w,
        "patch-test/true_test_panels.csv",
        &["--map", "name=allergen_name_as_listed"],
    )
    .is_some()
    {
        assert_eq!(key_of(&w, "Nickel Sulfate"), "nickel-sulfate");
    }
}
