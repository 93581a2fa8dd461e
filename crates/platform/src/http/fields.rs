//! Parse, don't validate: request fields and closed vocabularies read once, at the edge, into
//! types, with the contract's 400 message when a value is missing, mistyped or unknown.
//!
//! - `vocabulary!` declares a closed set of wire strings as an enum (serde and OpenAPI follow
//!   the strings; `ALL`, `as_str`, `parse` and `listed` come with it).
//! - `Field<T>` is a JSON field as sent: absent, `null`, a `T`, or something else. Handlers
//!   turn it into what they need with `required`, `optional` or `one_of`, each of which words
//!   the error the same way for every service ("x is required", "x must be a string",
//!   "x must be one of A, B").

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::error::ApiError;

/// A closed set of values with one wire spelling each.
pub trait Vocabulary: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }

    /// "A, B, C": the values as error messages list them.
    fn listed() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
        names.join(", ")
    }
}

/// Declares a vocabulary enum: `vocabulary!(pub enum Tier { Free = "free", Pro = "pro" })`.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $crate::http::fields::Vocabulary for $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::http::fields::Vocabulary::as_str(*self))
            }
        }
    };
}

/// A JSON field as sent. Give it `#[serde(default)]` so that an absent field is `Absent`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
    /// Present, but not a `T` (another JSON type, or a string outside a vocabulary).
    Mistyped,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        if value.is_null() {
            return Ok(Field::Null);
        }
        Ok(serde_json::from_value(value).map_or(Field::Mistyped, Field::Value))
    }
}

impl<T> Field<T> {
    /// The value; absent or null → "`name` is required", mistyped → "`name` must be `kind`".
    pub fn required(self, name: &str, kind: &str) -> Result<T, ApiError> {
        match self {
            Field::Value(v) => Ok(v),
            Field::Absent | Field::Null => {
                Err(ApiError::bad_request(format!("{name} is required")))
            }
            Field::Mistyped => Err(ApiError::bad_request(format!("{name} must be {kind}"))),
        }
    }

    /// The value if one was sent; absent or null → `None`, mistyped → "`name` must be `kind`".
    pub fn optional(self, name: &str, kind: &str) -> Result<Option<T>, ApiError> {
        match self {
            Field::Value(v) => Ok(Some(v)),
            Field::Absent | Field::Null => Ok(None),
            Field::Mistyped => Err(ApiError::bad_request(format!("{name} must be {kind}"))),
        }
    }
}

impl<T: Vocabulary> Field<T> {
    /// A vocabulary value, `default` when absent or null; anything else →
    /// "`name` must be one of A, B, C".
    pub fn one_of(self, name: &str, default: T) -> Result<T, ApiError> {
        match self {
            Field::Value(v) => Ok(v),
            Field::Absent | Field::Null => Ok(default),
            Field::Mistyped => Err(ApiError::bad_request(format!(
                "{name} must be one of {}",
                T::listed()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::vocabulary!(
        enum Colour {
            Red = "red",
            DarkBlue = "dark-blue",
        }
    );

    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        colour: Field<Colour>,
        #[serde(default)]
        name: Field<String>,
    }

    fn body(json: &str) -> Body {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn fields_are_absent_null_values_or_mistyped() {
        assert_eq!(body("{}").name, Field::Absent);
        assert_eq!(body(r#"{"name": null}"#).name, Field::Null);
        assert_eq!(body(r#"{"name": "x"}"#).name, Field::Value("x".into()));
        assert_eq!(body(r#"{"name": 3}"#).name, Field::Mistyped);
        assert_eq!(
            body(r#"{"colour": "dark-blue"}"#).colour,
            Field::Value(Colour::DarkBlue)
        );
        assert_eq!(body(r#"{"colour": "green"}"#).colour, Field::Mistyped);
    }

    #[test]
    fn each_case_words_its_error_the_same_way() {
        let message = |r: Result<String, ApiError>| r.unwrap_err().message;
        assert_eq!(
            message(body("{}").name.required("name", "a string")),
            "name is required"
        );
        assert_eq!(
            message(body(r#"{"name": null}"#).name.required("name", "a string")),
            "name is required"
        );
        assert_eq!(
            message(body(r#"{"name": 1}"#).name.required("name", "a string")),
            "name must be a string"
        );
        assert_eq!(
            body(r#"{"name": null}"#)
                .name
                .optional("name", "a string")
                .unwrap(),
            None
        );
        let colour = body(r#"{"colour": 7}"#)
            .colour
            .one_of("colour", Colour::Red);
        assert_eq!(
            colour.unwrap_err().message,
            "colour must be one of red, dark-blue"
        );
        assert_eq!(
            body("{}").colour.one_of("colour", Colour::Red).unwrap(),
            Colour::Red
        );
        assert_eq!(Colour::parse("red"), Some(Colour::Red));
        assert_eq!(Colour::DarkBlue.to_string(), "dark-blue");
    }

    #[test]
    fn the_openapi_schema_lists_the_wire_strings() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(Colour::schema()).unwrap();
        assert_eq!(
            schema["enum"],
            serde_json::json!(["red", "dark-blue"]),
            "{schema}"
        );
    }
}
