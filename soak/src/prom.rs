//! Reading values back from Prometheus text (what `/metrics` serves): the sum of a metric's
//! series, optionally only those carrying a label pair. Used to match injected faults with
//! the metrics the code under test emitted.

/// The sum over every series of `name` whose labels include each `key="value"` of `labels`.
pub fn sum(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter_map(sample)
        .filter(|sample| sample.matches(name, labels))
        .map(|s| s.value)
        .sum()
}

/// One sample line: `name{labels} value`.
#[derive(Debug, PartialEq)]
struct Sample<'a> {
    name: &'a str,
    labels: &'a str,
    value: f64,
}

impl Sample<'_> {
    fn matches(&self, name: &str, labels: &[(&str, &str)]) -> bool {
        self.name == name && labels.iter().all(|(key, value)| self.has_label(key, value))
    }

    fn has_label(&self, key: &str, value: &str) -> bool {
        self.labels.split(',').any(|pair| pair.trim() == format!("{key}=\"{value}\""))
    }
}

fn sample(line: &str) -> Option<Sample<'_>> {
    if line.starts_with('#') {
        return None;
    }
    let (series, value) = line.trim().rsplit_once(' ')?;
    let value = value.parse().ok()?;
    let (name, labels) = series.split_once('{').unwrap_or((series, "}"));
    Some(Sample { name, labels: labels.strip_suffix('}')?, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# HELP ws_x_total x\n# TYPE ws_x_total counter\nws_x_total 3\n\
        ws_y_total{check=\"chaos\",reason=\"failed\"} 4\nws_y_total{check=\"ghosts\",reason=\"failed\"} 1\n\
        ws_y_total{check=\"chaos\",reason=\"timed_out\"} 2\nbroken line\n";

    #[test]
    fn sums_series_by_name_and_labels() {
        assert_eq!(sum(TEXT, "ws_x_total", &[]), 3.0);
        assert_eq!(sum(TEXT, "ws_y_total", &[]), 7.0);
        assert_eq!(sum(TEXT, "ws_y_total", &[("check", "chaos")]), 6.0);
        assert_eq!(sum(TEXT, "ws_y_total", &[("check", "chaos"), ("reason", "failed")]), 4.0);
        assert_eq!(sum(TEXT, "ws_absent_total", &[]), 0.0);
    }
}
