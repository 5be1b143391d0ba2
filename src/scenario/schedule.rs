//! Parsing durations (`20s`, `500ms`, `2m`) and timed faults (`1@5s`) given on the command line.

use crate::cluster::types::BrokerId;

/// Parses `250ms`, `20s`, `1.5s`, `2m` or a bare number of seconds into milliseconds.
pub fn parse_duration_ms(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60_000.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 3_600_000.0)
    } else {
        (t, 1000.0)
    };
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration; write e.g. 500ms, 20s or 2m"))?;
    if !value.is_finite() || value < 0.0 || value * scale > 1e12 {
        return Err(format!("{text:?} is out of range"));
    }
    Ok((value * scale).round() as i64)
}

/// A broker fault at a simulated instant, written `BROKER@TIME` (e.g. `1@5s`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimedBroker {
    /// Which broker.
    pub broker: BrokerId,
    /// When, in simulated ms.
    pub at_ms: i64,
}

impl std::str::FromStr for TimedBroker {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (b, t) = s
            .split_once('@')
            .ok_or_else(|| format!("{s:?}: write BROKER@TIME, e.g. 1@5s"))?;
        let broker: BrokerId = b
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: {b:?} is not a broker id"))?;
        Ok(Self {
            broker,
            at_ms: parse_duration_ms(t)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration_ms("500ms"), Ok(500));
        assert_eq!(parse_duration_ms("20s"), Ok(20_000));
        assert_eq!(parse_duration_ms("1.5s"), Ok(1_500));
        assert_eq!(parse_duration_ms("2m"), Ok(120_000));
        assert_eq!(parse_duration_ms("7"), Ok(7_000));
        assert!(parse_duration_ms("soon").is_err());
        assert!(parse_duration_ms("-1s").is_err());
    }

    #[test]
    fn timed_broker_parses() {
        assert_eq!(
            "1@5s".parse::<TimedBroker>(),
            Ok(TimedBroker {
                broker: 1,
                at_ms: 5_000
            })
        );
        assert!("x@5s".parse::<TimedBroker>().is_err());
        assert!("15s".parse::<TimedBroker>().is_err());
    }
}
