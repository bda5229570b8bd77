//! Tests of `db`.

use super::*;

#[test]
fn migrating_twice_is_a_no_op() {
    let conn = Connection::open_in_memory().unwrap();
    migrate(&conn).unwrap();
    migrate(&conn).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
}

/// Every table's columns and every index, as SQLite reports them.
fn shape(conn: &Connection) -> Vec<String> {
    let mut shape = Vec::new();
    let objects: Vec<(String, String, String)> = conn
        .prepare("SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .unwrap()
        .query_map([], |r| r.try_into())
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (kind, name, table) in objects {
        shape.push(format!("{kind} {name} on {table}"));
        if kind == "table" {
            let mut stmt = conn
                .prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY name")
                .unwrap();
            let columns = stmt
                .query_map([&name], |r| {
                    Ok(format!(
                        "  {} {} {} {:?} {}",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, i64>(4)?
                    ))
                })
                .unwrap();
            shape.extend(columns.map(Result::unwrap));
        }
    }
    shape
}

#[test]
fn a_first_release_database_migrates_to_the_schema_of_a_new_one() {
    let old = Connection::open_in_memory().unwrap();
    old.execute_batch(include_str!("../../tests/fixtures/schema-v1.sql"))
        .unwrap();
    old.pragma_update(None, "user_version", 1).unwrap();
    migrate(&old).unwrap();
    let new = Connection::open_in_memory().unwrap();
    migrate(&new).unwrap();
    assert_eq!(shape(&old), shape(&new));
}
