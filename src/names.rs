//! QI's names of the engine's enums, one table per enum, next to the enum: the table gives the
//! enum `as_str`, `Display`, `FromStr` and `parse_named` (the same error at every door that reads
//! the name: JSON reader, CLI, Python).

/// Implements `as_str`, `NAMES`, `parse_named`, `Display` and `FromStr` for a fieldless enum from
/// its table of names. `$what` names the enum in the error (`unknown {what} (names…)`), `$field` is
/// the field `FromStr` blames (callers with another field use `parse_named`).
macro_rules! named_enum {
    ($ty:ident, $what:literal, $field:expr, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// QI's name of the value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }

            /// The value named `s`.
            ///
            /// # Errors
            /// [`crate::Error::InvalidField`] ([`crate::ErrorKind::Invalid`]) on `field` for a
            /// name not in [`Self::NAMES`], listing them.
            pub fn parse_named(s: &str, field: &str) -> crate::Result<Self> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    _ => Err(crate::Error::invalid(
                        field,
                        format!("{s:?}"),
                        format!(concat!("unknown ", $what, " ({})"), Self::NAMES.join(", ")),
                    )),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = crate::Error;

            /// [`Self::parse_named`] on the enum's usual field.
            fn from_str(s: &str) -> crate::Result<Self> {
                Self::parse_named(s, $field)
            }
        }
    };
}

pub(crate) use named_enum;

#[cfg(test)]
mod tests {
    use crate::fees::FeeClass;
    use crate::iof::{NaturalPersonIof, PersonType};
    use crate::rate::InterestBase;
    use crate::schedule::Amortization;
    use crate::{DelayUnit, ErrorKind, OptionDays};

    /// Each name parses to the value whose `as_str` and `Display` it is, and an unknown name is
    /// refused as [`ErrorKind::Invalid`] on the field given, listing the names.
    fn round_trips<T>(names: &[&str])
    where
        T: std::str::FromStr<Err = crate::Error> + std::fmt::Display,
    {
        for name in names {
            let v: T = name.parse().expect("a listed name");
            assert_eq!(v.to_string(), *name);
        }
        let e = "nope".parse::<T>().err().expect("refused");
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert!(e.to_string().contains(&names.join(", ")), "{e}");
    }

    #[test]
    fn every_name_round_trips() {
        round_trips::<InterestBase>(InterestBase::NAMES);
        round_trips::<Amortization>(Amortization::NAMES);
        round_trips::<PersonType>(PersonType::NAMES);
        round_trips::<NaturalPersonIof>(NaturalPersonIof::NAMES);
        round_trips::<FeeClass>(FeeClass::NAMES);
        round_trips::<DelayUnit>(DelayUnit::NAMES);
        round_trips::<OptionDays>(OptionDays::NAMES);
        // The reader's errors, as `parse_named` gives them.
        let e = InterestBase::parse_named("calendar_days_360", "financial.interest_base")
            .expect_err("refused");
        assert_eq!(e.field(), Some("financial.interest_base"));
        assert_eq!(e.value().as_deref(), Some("\"calendar_days_360\""));
        assert!(
            e.to_string()
                .contains("unknown interest base (calendar_days, calendar_days_365, workdays)"),
            "{e}"
        );
    }
}
