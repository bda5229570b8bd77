//! Finding clients and products from a few typed letters, for the chair-side page: read-only,
//! forgiving about case, accents and punctuation, and short (a page shows a handful).

use rusqlite::Connection;

use crate::db::catalog::Kind;
use crate::error::Result;
use crate::ident;

/// A client found by code or name.
#[derive(Debug, Clone)]
pub struct ClientHit {
    pub code: String,
    pub name: Option<String>,
    pub born: Option<String>,
    pub erased: bool,
}

/// The clients whose code or name holds every word of `text` (compared as `client list
/// --search` compares), codes that match exactly first, at most `limit`.
pub fn clients(conn: &Connection, text: &str, limit: usize) -> Result<Vec<ClientHit>> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(ident::normalize_name)
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let exact = crate::db::client_code_key(text);
    let mut stmt = conn.prepare_cached(
        "SELECT code, name, born, erased_at IS NOT NULL FROM clients ORDER BY code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ClientHit {
            code: r.get(0)?,
            name: r.get(1)?,
            born: r.get(2)?,
            erased: r.get(3)?,
        })
    })?;
    let mut hits = Vec::new();
    for row in rows {
        let c = row?;
        let hay = ident::normalize_name(&format!("{} {}", c.code, c.name.as_deref().unwrap_or("")));
        if words.iter().all(|w| hay.contains(w.as_str())) {
            hits.push(c);
        }
    }
    hits.sort_by_key(|c| crate::db::client_code_key(&c.code) != exact);
    hits.truncate(limit);
    Ok(hits)
}

/// A product found by name, code, kind or shade.
#[derive(Debug, Clone)]
pub struct ProductHit {
    pub id: i64,
    pub supplier: String,
    pub code: String,
    pub name: String,
    pub shade: Option<String>,
    pub kind: Kind,
}

/// The most words of a product search that are used: more narrow nothing a person types.
const MAX_WORDS: usize = 6;

/// The products where every word of `text` is in the name, the code or the shade, or is the
/// kind (`pigment`, `aftercare`, ...); exact codes first, then by name, at most `limit`.
pub fn products(conn: &Connection, text: &str, limit: usize) -> Result<Vec<ProductHit>> {
    let words: Vec<&str> = text.split_whitespace().take(MAX_WORDS).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = String::from(
        "SELECT p.id, s.name, p.code, p.name, p.shade, p.kind FROM products p
         JOIN suppliers s ON s.id = p.supplier_id WHERE 1",
    );
    let mut values: Vec<String> = Vec::new();
    for w in &words {
        let n = values.len();
        sql.push_str(&format!(
            " AND (instr(p.name_norm, ?{}) > 0 OR instr(p.code_norm, ?{}) > 0
                   OR instr(lower(coalesce(p.shade, '')), ?{}) > 0 OR p.kind = ?{})",
            n + 1,
            n + 2,
            n + 2,
            n + 3
        ));
        let norm = ident::normalize_name(w);
        // An empty key (a word of punctuation) would match every name: let it match none.
        values.push(if norm.is_empty() {
            "\u{0}".into()
        } else {
            norm
        });
        values.push(w.to_lowercase());
        values.push(Kind::parse(w).map_or("", Kind::as_str).to_string());
    }
    let full = values.len();
    sql.push_str(&format!(
        " ORDER BY p.code_norm <> ?{}, p.name, s.name, p.code LIMIT {limit}",
        full + 1
    ));
    values.push(crate::db::catalog::code_norm(text));
    let mut stmt = conn.prepare(&sql)?;
    let hits = stmt
        .query_map(rusqlite::params_from_iter(values.iter()), |r| {
            Ok(ProductHit {
                id: r.get(0)?,
                supplier: r.get(1)?,
                code: r.get(2)?,
                name: r.get(3)?,
                shade: r.get(4)?,
                kind: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(hits)
}

/// A client's name and birth date, for the page's heading (`None` once erased).
pub fn client_card(
    conn: &Connection,
    id: crate::db::ClientId,
) -> Result<(Option<String>, Option<String>)> {
    Ok(
        conn.query_row("SELECT name, born FROM clients WHERE id = ?1", [id], |r| {
            r.try_into()
        })?,
    )
}
