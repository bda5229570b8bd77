//! Tests of `db::import`.

use super::*;

fn index_sql(conn: &Connection) -> Option<String> {
    conn.query_row(
        "SELECT sql FROM sqlite_master WHERE name = 'ingredients_by_substance'",
        [],
        |r| r.get(0),
    )
    .optional()
    .unwrap()
}

#[test]
fn a_large_import_builds_the_substance_index_again_exactly_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) =
        crate::db::Db::init(&dir.path().join("t.db"), "t".into(), chrono::Utc::now()).unwrap();
    let before = index_sql(&db.conn).expect("the schema has the index");
    assert_eq!(
        suspend_index(&db.conn, 100).unwrap(),
        None,
        "a small import keeps it"
    );
    let dropped = suspend_index(&db.conn, 50_000).unwrap();
    assert_eq!(index_sql(&db.conn), None);
    restore_index(&db.conn, dropped).unwrap();
    assert_eq!(index_sql(&db.conn), Some(before));
}
