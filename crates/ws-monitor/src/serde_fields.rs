//! Serde field formats: a criticality as its lowercase name, a duration as whole microseconds.

/// `ws_core::Criticality` as `"critical"` or `"warning"`.
pub(crate) mod criticality {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use ws_core::Criticality;

    pub(crate) fn serialize<S: Serializer>(value: &Criticality, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_str(value.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        input: D,
    ) -> Result<Criticality, D::Error> {
        let name = String::deserialize(input)?;
        parse(&name).ok_or_else(|| D::Error::unknown_variant(&name, &["critical", "warning"]))
    }

    fn parse(name: &str) -> Option<Criticality> {
        [Criticality::Critical, Criticality::Warning]
            .into_iter()
            .find(|level| level.as_str() == name)
    }
}

/// A `Duration` as an integer count of microseconds (exact round trip).
pub(crate) mod micros {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(crate) fn serialize<S: Serializer>(value: &Duration, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_u64(u64::try_from(value.as_micros()).unwrap_or(u64::MAX))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Duration, D::Error> {
        u64::deserialize(input).map(Duration::from_micros)
    }

    /// The duration cut to whole microseconds, so that it survives the round trip.
    pub(crate) fn truncate(value: Duration) -> Duration {
        Duration::from_micros(u64::try_from(value.as_micros()).unwrap_or(u64::MAX))
    }
}
