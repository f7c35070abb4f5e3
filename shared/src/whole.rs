//! Whole numbers written either way JSON allows: `7` or `7.0`.
//!
//! JSON Schema counts `7.0` as an integer and so do many clients (Python floats, models that
//! write every number with a decimal point); serde's integer types refuse it. Values past
//! 2^63-1 (what SQLite's integers hold) are refused. Use with
//! `#[serde(default, deserialize_with = "crate::whole::option")]` on `Option<uN>`/`Option<iN>` fields and
//! `deserialize_with = "crate::whole::number"` on plain ones.

use serde::de::{Deserializer, Error, Unexpected, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Largest float that still names exactly one integer.
const MAX_EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

/// An `Option<T>` from null, an integer, or a float with no fractional part.
pub fn option<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    d.deserialize_any(WholeVisitor::<T, true>(PhantomData))
}

/// A `T` from an integer or a float with no fractional part.
pub fn number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    d.deserialize_any(WholeVisitor::<T, false>(PhantomData))?
        .ok_or_else(|| D::Error::invalid_type(Unexpected::Unit, &"a whole number"))
}

struct WholeVisitor<T, const NULLABLE: bool>(PhantomData<T>);

impl<'de, T: TryFrom<i128>, const NULLABLE: bool> Visitor<'de> for WholeVisitor<T, NULLABLE> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if NULLABLE {
            "a whole number or null"
        } else {
            "a whole number"
        })
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
        if i64::try_from(v).is_err() {
            // Past what SQLite's integers (and the API document) hold.
            return Err(E::invalid_value(Unexpected::Unsigned(v), &"at most 2^63-1"));
        }
        T::try_from(i128::from(v))
            .map(Some)
            .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &"a whole number in range"))
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
        T::try_from(i128::from(v))
            .map(Some)
            .map_err(|_| E::invalid_value(Unexpected::Signed(v), &"a whole number in range"))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.fract() == 0.0 && v.abs() <= MAX_EXACT_FLOAT {
            // Exact: a whole float within 2^53 converts without loss.
            T::try_from(v as i128)
                .map(Some)
                .map_err(|_| E::invalid_value(Unexpected::Float(v), &"a whole number in range"))
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        if NULLABLE {
            Ok(None)
        } else {
            Err(E::invalid_type(Unexpected::Unit, &self))
        }
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Counts {
        #[serde(default, deserialize_with = "super::option")]
        count: Option<u64>,
        #[serde(default, deserialize_with = "super::option")]
        small: Option<u32>,
        #[serde(default, deserialize_with = "super::option")]
        signed: Option<i32>,
    }

    fn parse(json: &str) -> Result<Counts, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn integers_and_whole_floats_are_the_same_count() {
        assert_eq!(parse(r#"{"count": 7}"#).unwrap().count, Some(7));
        assert_eq!(parse(r#"{"count": 7.0}"#).unwrap().count, Some(7));
        assert_eq!(
            parse(r#"{"count": 3987077.0}"#).unwrap().count,
            Some(3_987_077)
        );
        assert_eq!(parse(r#"{"count": null}"#).unwrap().count, None);
        assert_eq!(parse("{}").unwrap().count, None);
        assert_eq!(parse(r#"{"signed": -1.0}"#).unwrap().signed, Some(-1));
        assert_eq!(
            parse(r#"{"small": 4294967295.0}"#).unwrap().small,
            Some(u32::MAX)
        );
        assert_eq!(
            parse(r#"{"count": 9223372036854775807}"#).unwrap().count,
            Some(i64::MAX as u64)
        );
    }

    #[test]
    fn fractions_negatives_and_out_of_range_are_refused() {
        for bad in [
            r#"{"count": 7.5}"#,
            r#"{"count": -1}"#,
            r#"{"count": -0.5}"#,
            r#"{"count": 1e300}"#,
            r#"{"count": "7"}"#,
            r#"{"small": 4294967296}"#,
            r#"{"count": 9223372036854775808}"#,
            r#"{"small": 4294967296.0}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad} was accepted");
        }
    }
}
