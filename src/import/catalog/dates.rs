//! Expiry dates and yes/no flags as suppliers write them.

use chrono::NaiveDate;

use crate::ident;

pub fn parse_flag(text: &str) -> Result<bool, String> {
    match ident::normalize_name(text).as_str() {
        "yes" | "y" | "true" | "1" | "x" | "ja" | "j" | "oui" | "si" | "sì" | "mc" => Ok(true),
        "no" | "n" | "false" | "0" | "nein" | "non" => Ok(false),
        _ if text.trim() == "+/-" || text.trim() == "±" => Ok(true),
        _ => Err(format!("may-contain {text:?} is not yes or no")),
    }
}
/// Expiry dates as suppliers write them: `2027-03-31`, `31.03.2027`, `31/03/2027` (day first
/// when unambiguous), `2027-03` or `03/2027` (the end of that month).
pub fn parse_expiry(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let bad = || format!("expiry {t:?} is not a date: write YYYY-MM-DD, like 2027-03-31");
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%d.%m.%Y") {
        return Ok(d);
    }
    if let Some((a, b, y)) = split3(t, '/') {
        let (a, b): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
        let y: i32 = y.parse().map_err(|_| bad())?;
        if a <= 12 && b <= 12 && a != b {
            return Err(format!(
                "expiry {t:?} is ambiguous (day/month or month/day?): write YYYY-MM-DD"
            ));
        }
        let (day, month) = if a > 12 { (a, b) } else { (b, a) };
        return NaiveDate::from_ymd_opt(y, month, day).ok_or_else(bad);
    }
    let month_end = |y: i32, m: u32| {
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .and_then(|d| d.pred_opt())
    };
    for sep in ['-', '/', '.'] {
        if let Some((a, b)) = t.split_once(sep) {
            let (a, b) = (a.trim(), b.trim());
            let parsed = if a.len() == 4 {
                a.parse().ok().zip(b.parse().ok())
            } else if b.len() == 4 {
                b.parse().ok().zip(a.parse().ok())
            } else {
                None
            };
            if let Some((y, m)) = parsed {
                return month_end(y, m).ok_or_else(bad);
            }
        }
    }
    Err(bad())
}

fn split3(t: &str, sep: char) -> Option<(&str, &str, &str)> {
    let mut parts = t.split(sep);
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(c), None) => Some((a.trim(), b.trim(), c.trim())),
        _ => None,
    }
}

pub fn show_date(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "none".to_string(), |d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_dates_in_supplier_formats() {
        let d = |s| parse_expiry(s).map(|d| d.to_string());
        assert_eq!(d("2027-03-31").unwrap(), "2027-03-31");
        assert_eq!(d("31.03.2027").unwrap(), "2027-03-31");
        assert_eq!(d("31/03/2027").unwrap(), "2027-03-31");
        assert_eq!(d("03/31/2027").unwrap(), "2027-03-31");
        assert_eq!(d("2027-02").unwrap(), "2027-02-28");
        assert_eq!(d("03/2027").unwrap(), "2027-03-31");
        assert!(d("04/05/2027").unwrap_err().contains("ambiguous"));
        assert!(d("soon").is_err());
    }
}
