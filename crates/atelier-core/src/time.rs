//! Calendar conversions for the few places that show or read dates (API timestamps, import
//! files), without a date-time dependency in the domain crate.

use crate::UnixMillis;

/// Days since 1970-01-01 of a civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
#[must_use]
pub const fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day count since 1970-01-01.
#[must_use]
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // day is 1..=31, month 1..=12 by construction
pub const fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// `2026-02-01T08:30:00Z` (seconds precision, UTC).
#[must_use]
pub fn rfc3339(ms: UnixMillis) -> String {
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// `2026-02-01` (UTC).
#[must_use]
pub fn date(ms: UnixMillis) -> String {
    let (y, mo, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{mo:02}-{d:02}")
}

/// Reads `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` or a number of seconds/milliseconds
/// since the epoch. `None` when it is none of these.
#[must_use]
pub fn parse_datetime(text: &str) -> Option<UnixMillis> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i64>() {
        // Ten digits are seconds until 2286; more are milliseconds.
        return Some(if n.abs() < 100_000_000_000 {
            n * 1000
        } else {
            n
        });
    }
    let bytes = text.as_bytes();
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = text.get(0..4)?.parse().ok()?;
    let month: u32 = text.get(5..7)?.parse().ok()?;
    let day: u32 = text.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * 86_400_000;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(ms);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let hour: i64 = rest.get(0..2)?.parse().ok()?;
    let minute: i64 = rest.get(3..5)?.parse().ok()?;
    let second: i64 = rest.get(6..8).and_then(|s| s.parse().ok()).unwrap_or(0);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    ms += (hour * 3600 + minute * 60 + second) * 1000;
    let tz = rest.get(8..).unwrap_or("");
    let tz = tz.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset_min = match tz {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match tz.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let h: i64 = tz.get(1..3)?.parse().ok()?;
            let m: i64 = tz
                .get(4..6)
                .or_else(|| tz.get(3..5))
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            sign * (h * 60 + m)
        }
    };
    Some(ms - offset_min * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-1_000_000, -1, 0, 1, 19_000, 20_485, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn formats_and_parses() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_769_904_000_000), "2026-02-01T00:00:00Z");
        assert_eq!(date(1_769_904_000_000), "2026-02-01");
        assert_eq!(parse_datetime("2026-02-01"), Some(1_769_904_000_000));
        assert_eq!(
            parse_datetime("2026-02-01T00:00:00Z"),
            Some(1_769_904_000_000)
        );
        assert_eq!(
            parse_datetime("2026-02-01T01:30:00+01:30"),
            Some(1_769_904_000_000)
        );
        assert_eq!(
            parse_datetime("2026-02-01T00:00:00.123Z"),
            Some(1_769_904_000_000)
        );
        assert_eq!(parse_datetime("1769904000"), Some(1_769_904_000_000));
        assert_eq!(parse_datetime("1769904000000"), Some(1_769_904_000_000));
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-01T25:00:00Z",
            "2026/02/01",
            "2026-02-01Tnoon",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }
}
