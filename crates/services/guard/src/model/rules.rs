//! Policy rules: an action and conditions that must all hold, checked against the contract's
//! table of fields, operators and values (contracts/guard.md §6).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::vocabulary::{field, Direction, PolicyAction, Source};
use platform::http::fields::Vocabulary;

const MAX_CONDITIONS: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Rules {
    /// `block` (prevent sending), `coach` (warn, may send anyway), `log` (record silently).
    #[schema(value_type = PolicyAction, example = "block")]
    pub action: String,
    /// All must match (AND).
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Condition {
    /// platform_id, risk_score, classification_count, classifications, source, direction, user_id
    #[schema(schema_with = field_schema, example = "platform_id")]
    pub field: String,
    /// eq, ne/neq, in, nin, lt, lte, gt, gte, contains, not_contains (by field)
    #[schema(schema_with = operator_schema, example = "eq")]
    pub operator: String,
    /// A string (numbers may be given as numbers or strings), or an array for `in`/`nin`.
    #[schema(schema_with = value_schema, example = "chatgpt")]
    pub value: Value,
}

const FIELDS: [&str; 7] = [
    "platform_id",
    "risk_score",
    "classification_count",
    "classifications",
    "source",
    "direction",
    "user_id",
];
const OPERATORS: [&str; 11] = [
    "eq",
    "ne",
    "neq",
    "in",
    "nin",
    "lt",
    "lte",
    "gt",
    "gte",
    "contains",
    "not_contains",
];

fn strings_of(values: &[&str]) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
        .build()
}

fn field_schema() -> utoipa::openapi::schema::Object {
    strings_of(&FIELDS)
}

fn operator_schema() -> utoipa::openapi::schema::Object {
    strings_of(&OPERATORS)
}

/// A string, a number, or (for `in` / `nin`) a list of strings.
fn value_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
    let string = || ObjectBuilder::new().schema_type(Type::String);
    OneOfBuilder::new()
        .item(string())
        .item(ObjectBuilder::new().schema_type(Type::Number))
        .item(ArrayBuilder::new().items(string()).min_items(Some(1)))
        .build()
        .into()
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_strings(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::Array(items) if !items.is_empty() => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// True when `v` is a string of vocabulary `T`.
fn one_of<T: Vocabulary>(v: &Value) -> bool {
    v.as_str().and_then(T::parse).is_some()
}

impl Condition {
    fn validate(&self) -> Result<(), String> {
        let (field, op, v) = (self.field.as_str(), self.operator.as_str(), &self.value);
        let comparison = ["eq", "lt", "lte", "gt", "gte"];
        let ok = match field {
            "platform_id" => match op {
                "eq" | "ne" | "neq" => v.as_str().is_some_and(|s| !s.trim().is_empty()),
                "in" | "nin" => as_strings(v).is_some(),
                _ => return Err(bad_operator(field, op, "eq, ne, neq, in, nin")),
            },
            "risk_score" if comparison.contains(&op) => as_number(v).is_some_and(|n| (0.0..=1.0).contains(&n)),
            "risk_score" => return Err(bad_operator(field, op, "eq, lt, lte, gt, gte")),
            "classification_count" if comparison.contains(&op) => {
                as_number(v).is_some_and(|n| n >= 0.0 && n.fract() == 0.0)
            }
            "classification_count" => return Err(bad_operator(field, op, "eq, lt, lte, gt, gte")),
            "classifications" if matches!(op, "contains" | "not_contains") => {
                v.as_str().is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            }
            "classifications" => return Err(bad_operator(field, op, "contains, not_contains")),
            "source" => match op {
                "eq" | "ne" | "neq" => one_of::<Source>(v),
                "in" | "nin" => as_strings(v).is_some_and(|list| list.iter().all(|s| Source::parse(s).is_some())),
                _ => return Err(bad_operator(field, op, "eq, ne, neq, in, nin")),
            },
            "direction" if matches!(op, "eq" | "ne" | "neq") => one_of::<Direction>(v),
            "direction" => return Err(bad_operator(field, op, "eq, ne")),
            "user_id" if matches!(op, "eq" | "ne" | "neq") => {
                v.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok())
            }
            "user_id" => return Err(bad_operator(field, op, "eq, ne")),
            _ => {
                return Err(format!(
                    "unknown condition field `{field}` (fields: platform_id, risk_score, classification_count, classifications, source, direction, user_id)"
                ))
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "invalid value {v} for `{field}` with operator `{op}`"
            ))
        }
    }
}

fn bad_operator(field: &str, op: &str, allowed: &str) -> String {
    format!("operator `{op}` is not allowed for `{field}` (allowed: {allowed})")
}

impl Rules {
    pub fn validate(&self) -> Result<(), String> {
        field::<PolicyAction>("rules.action", &self.action)?;
        if self.conditions.is_empty() || self.conditions.len() > MAX_CONDITIONS {
            return Err(format!(
                "rules.conditions must hold 1 to {MAX_CONDITIONS} conditions"
            ));
        }
        self.conditions.iter().try_for_each(Condition::validate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(conditions: Value) -> Rules {
        serde_json::from_value(json!({ "action": "block", "conditions": conditions })).unwrap()
    }

    #[test]
    fn the_contract_example_is_valid() {
        let r = rules(json!([
            { "field": "platform_id", "operator": "eq", "value": "chatgpt" },
            { "field": "classification_count", "operator": "gte", "value": "1" }
        ]));
        assert_eq!(r.validate(), Ok(()));
    }

    #[test]
    fn bad_fields_operators_and_values_are_refused() {
        for bad in [
            json!([]),
            json!([{ "field": "colour", "operator": "eq", "value": "red" }]),
            json!([{ "field": "risk_score", "operator": "contains", "value": "0.5" }]),
            json!([{ "field": "risk_score", "operator": "gt", "value": "1.5" }]),
            json!([{ "field": "classification_count", "operator": "gte", "value": "1.5" }]),
            json!([{ "field": "source", "operator": "eq", "value": "carrier_pigeon" }]),
            json!([{ "field": "platform_id", "operator": "in", "value": [] }]),
            json!([{ "field": "user_id", "operator": "eq", "value": "not-a-uuid" }]),
            json!([{ "field": "classifications", "operator": "contains", "value": "email" }]),
        ] {
            assert!(rules(bad.clone()).validate().is_err(), "{bad}");
        }
        let r: Rules = serde_json::from_value(json!({ "action": "delete", "conditions": [
            { "field": "direction", "operator": "eq", "value": "inbound" }] }))
        .unwrap();
        assert!(r.validate().is_err());
    }
}
