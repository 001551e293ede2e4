//! The one place where the API's timestamps become epoch milliseconds.
//!
//! The API documents one field both as a `number` and as a `date` (see `docs/api-contract.md`):
//! `lastActivityAt` is a number in the recent-messages reference and a string in the list
//! reference's example; the cookbook's rate-limit resets are ISO-8601; `Retry-After` may be an HTTP
//! date (RFC 9110). So every timestamp the client reads goes through [`timestamp_ms`]:
//! epoch milliseconds, epoch seconds, either as a numeric string, ISO-8601 / RFC 3339, or an
//! HTTP date.

use super::lenient::Scalar;

/// Numbers below this are epoch seconds; from it on, milliseconds. 10^11 ms is March 1973 and
/// 10^11 s is the year 5138, so no real date of either unit is misread.
const SECONDS_BELOW: f64 = 1e11;
/// Latest instant accepted (year 9999), in milliseconds: anything larger is not a date.
const MAX_MS: f64 = 253_402_300_799_999.0;

/// Epoch milliseconds from any documented form of a timestamp; `None` for `null`, an empty
/// string, or anything that is not a date.
pub fn timestamp_ms(value: &Scalar) -> Option<i64> {
    match value {
        Scalar::Number(n) => number_ms(n.as_f64()?),
        Scalar::String(s) => timestamp_str_ms(s),
        _ => None,
    }
}

/// Epoch milliseconds from a string: a number (seconds or milliseconds), ISO-8601 / RFC 3339, or
/// an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn timestamp_str_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Some(n) = crate::number::parse_f64(s) {
        return number_ms(n);
    }
    iso_ms(s).or_else(|| http_date_ms(s))
}

fn number_ms(n: f64) -> Option<i64> {
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let ms = if n < SECONDS_BELOW { n * 1000.0 } else { n };
    (ms <= MAX_MS).then_some(ms.round() as i64)
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn valid_date(y: i64, m: i64, d: i64) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1..=12).contains(&m) && d >= 1 && d <= days[(m - 1) as usize]
}

/// The instant of a civil date and time in UTC; `None` for a field out of its range. The year
/// is four digits, as every form read here writes it (an HTTP date's year is read as any
/// integer: a huge one overflowed `days_from_civil`), and every field is at least zero (an
/// HTTP date's hour, minute and second are read as any integer too).
fn civil_ms(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, ms: i64) -> Option<i64> {
    if !(0..=9999).contains(&y)
        || !valid_date(y, mo, d)
        || !(0..=23).contains(&h)
        || !(0..=59).contains(&mi)
        || !(0..=60).contains(&s)
        || ms < 0
    {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
    let total = secs.checked_mul(1000)?.checked_add(ms)?;
    (total >= 0).then_some(total)
}

/// A run of ASCII digits of exactly `n` characters at the start of `s`.
fn digits(s: &str, n: usize) -> Option<(i64, &str)> {
    let head = s.get(..n)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((int(head)?, &s[n..]))
}

/// `s.parse::<i64>().ok()`: an optional `+` or `-`, then one or more ASCII digits, `None` past
/// i64's range. A few plain lines instead of core's integer parser, kept for these readers only.
fn int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = i64::from(b - b'0');
        n = n.checked_mul(10)?;
        n = if neg {
            n.checked_sub(d)?
        } else {
            n.checked_add(d)?
        };
    }
    Some(n)
}

fn expect(s: &str, c: char) -> Option<&str> {
    s.strip_prefix(c)
}

/// `YYYY-MM-DD`, optionally `T` (or a space) `HH:MM[:SS[.fff…]]`, then `Z`, `±HH:MM`, `±HHMM`
/// or nothing (read as UTC).
fn iso_ms(s: &str) -> Option<i64> {
    let (y, r) = digits(s, 4)?;
    let (mo, r) = digits(expect(r, '-')?, 2)?;
    let (d, r) = digits(expect(r, '-')?, 2)?;
    if r.is_empty() {
        return civil_ms(y, mo, d, 0, 0, 0, 0);
    }
    let r = r
        .strip_prefix('T')
        .or_else(|| r.strip_prefix('t'))
        .or_else(|| r.strip_prefix(' '))?;
    let (h, r) = digits(r, 2)?;
    let (mi, mut r) = digits(expect(r, ':')?, 2)?;
    let mut sec = 0;
    let mut frac_ms = 0;
    if let Some(rest) = r.strip_prefix(':') {
        let (sv, rest) = digits(rest, 2)?;
        sec = sv;
        r = rest;
        if let Some(rest) = r.strip_prefix('.').or_else(|| r.strip_prefix(',')) {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let frac = &rest[..n];
            let padded: String = frac.chars().chain("000".chars()).take(3).collect();
            frac_ms = int(&padded)?;
            r = &rest[n..];
        }
    }
    let offset_min = match r {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match r.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let r = &r[1..];
            let (oh, r) = digits(r, 2)?;
            let (om, r) = match r.strip_prefix(':') {
                Some(rest) => digits(rest, 2)?,
                None if r.is_empty() => (0, r),
                None => digits(r, 2)?,
            };
            if !r.is_empty() || oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 60 + om)
        }
    };
    let local = civil_ms(y, mo, d, h, mi, sec, frac_ms)?;
    let utc = local - offset_min * 60_000;
    (utc >= 0).then_some(utc)
}

/// The IMF-fixdate of RFC 9110 §5.6.7 (`Sun, 06 Nov 1994 08:49:37 GMT`); the weekday is not checked.
fn http_date_ms(s: &str) -> Option<i64> {
    let (_, rest) = s.split_once(", ")?;
    let mut parts = rest.split_ascii_whitespace();
    let d = int(parts.next()?)?;
    let mon = parts.next()?;
    let y = int(parts.next()?)?;
    let time = parts.next()?;
    let zone = parts.next()?;
    if parts.next().is_some() || !(zone == "GMT" || zone == "UTC") {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mo = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(mon))? as i64 + 1;
    let mut hms = time.split(':');
    let h = int(hms.next()?)?;
    let mi = int(hms.next()?)?;
    let sec = int(hms.next()?)?;
    if hms.next().is_some() {
        return None;
    }
    civil_ms(y, mo, d, h, mi, sec, 0)
}

/// An instant as RFC 3339 with milliseconds in UTC (`2026-04-27T15:42:11.000Z`): the form the
/// simulator's mixed dialect and the docs use.
pub fn iso_from_ms(ms: i64) -> String {
    let ms = ms.max(0);
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // civil_from_days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// An instant as an HTTP date (IMF-fixdate), for `Retry-After` and `Date` headers.
pub fn http_date_from_ms(ms: i64) -> String {
    let iso = iso_from_ms(ms);
    let (y, mo, d) = (&iso[0..4], &iso[5..7], &iso[8..10]);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let month = MONTHS[int(mo).unwrap_or(1).clamp(1, 12) as usize - 1];
    let weekday = DAYS[(ms.max(0) / 86_400_000 % 7) as usize];
    format!("{weekday}, {d} {month} {y} {} GMT", &iso[11..19])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `Value`'s scalar: the tests write their values with `json!`.
    fn at(v: &serde_json::Value) -> Option<i64> {
        timestamp_ms(&Scalar::of_value(v))
    }

    /// `int` is `str::parse::<i64>().ok()` on signs, empties, non-digits and both ends of the range.
    #[test]
    fn int_reads_as_std_parse() {
        let mut inputs: Vec<String> = [
            "",
            "+",
            "-",
            "0",
            "-0",
            "+0",
            "007",
            "42",
            "+42",
            "-42",
            "4 2",
            " 4",
            "4a",
            "++1",
            "+-1",
            "-+1",
            "1.5",
            "1e3",
            "\u{663}",
            "９",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "00000000000000000000000000001",
            "99999999999999999999",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            crate::test_rng::xorshift(&mut seed);
            let len = (seed % 22) as usize;
            let s: String = (0..len)
                .map(|i| b"0123456789+- x9"[((seed >> (i * 3)) % 15) as usize] as char)
                .collect();
            inputs.push(s);
        }
        for s in &inputs {
            assert_eq!(int(s), s.parse::<i64>().ok(), "{s:?}");
        }
    }

    #[test]
    fn every_documented_form_gives_the_same_instant() {
        let ms = 1_771_950_346_603;
        for v in [
            json!(1_771_950_346_603_i64),
            json!("1771950346603"),
            json!(" 1771950346603 "),
            json!("2026-02-24T16:25:46.603Z"),
            json!("2026-02-24T17:25:46.603+01:00"),
            json!("2026-02-24T16:25:46.6030Z"),
            json!("2026-02-24 16:25:46.603"),
        ] {
            assert_eq!(at(&v), Some(ms), "{v}");
        }
        assert_eq!(at(&json!(1_771_950_346)), Some(1_771_950_346_000));
        assert_eq!(at(&json!(1_771_950_346.5)), Some(1_771_950_346_500));
        assert_eq!(at(&json!("1771950346")), Some(1_771_950_346_000));
        assert_eq!(at(&json!("2026-04-28")), Some(1_777_334_400_000));
        assert_eq!(at(&json!("2026-04-27T15:42:11Z")), Some(1_777_304_531_000));
        assert_eq!(
            at(&json!("Mon, 27 Apr 2026 15:42:11 GMT")),
            Some(1_777_304_531_000)
        );
    }

    #[test]
    fn what_is_not_a_date_is_none() {
        for v in [
            json!(null),
            json!(""),
            json!("soon"),
            json!(-5),
            json!(true),
            json!([]),
            json!({}),
            json!("2026-13-01T00:00:00Z"),
            json!("2026-02-30"),
            json!("2026-02-24T25:00:00Z"),
            json!("2026-02-24T10:00:00+2"),
            json!(1e300),
            json!("NaN"),
            json!("inf"),
            // An HTTP date's numbers are read as any integer: the year is four digits, and
            // no field below zero (a year this large overflowed the day count).
            json!("Mon, 01 Jan 9223372036854775807 00:00:00 GMT"),
            json!("Mon, 01 Jan 10000 00:00:00 GMT"),
            json!("Mon, 01 Jan -5 00:00:00 GMT"),
            json!("Mon, 01 Jan 2026 -5:00:00 GMT"),
            json!("Mon, 01 Jan 2026 00:-1:00 GMT"),
            json!("Mon, 01 Jan 2026 00:00:-9223372036854775808 GMT"),
        ] {
            assert_eq!(at(&v), None, "{v}");
        }
    }

    #[test]
    fn formatting_round_trips() {
        for ms in [0, 951_782_400_000, 1_771_950_346_603, 4_102_444_799_999] {
            assert_eq!(timestamp_str_ms(&iso_from_ms(ms)), Some(ms));
            assert_eq!(
                timestamp_str_ms(&http_date_from_ms(ms)),
                Some(ms / 1000 * 1000)
            );
        }
        assert_eq!(
            http_date_from_ms(784_111_777_000),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }
}
