//! Canonical JSON: object keys sorted, no insignificant whitespace, so equal values hash equally.

use serde_json::Value;

/// Serialises `value` canonically: keys sorted bytewise at every depth, compact separators.
///
/// serde_json's own `to_string` already writes compact output; sorting is done here explicitly so
/// the result does not depend on whether the `preserve_order` feature is enabled anywhere in the
/// dependency graph.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_value(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_at_every_depth() {
        let v = json!({"b": 1, "a": {"z": [3, {"y": 1, "x": 2}], "c": null}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":null,"z":[3,{"x":2,"y":1}]},"b":1}"#
        );
    }

    #[test]
    fn escapes_strings_like_json() {
        let v = json!({"k\"ey": "line\nbreak"});
        assert_eq!(canonical_json(&v), r#"{"k\"ey":"line\nbreak"}"#);
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(".{0,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn canonical_output_parses_back_to_the_same_value(v in arb_json()) {
            let text = canonical_json(&v);
            let parsed: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(parsed, v);
        }

        #[test]
        fn canonical_form_is_a_fixed_point(v in arb_json()) {
            let once = canonical_json(&v);
            let twice = canonical_json(&serde_json::from_str(&once).unwrap());
            prop_assert_eq!(once, twice);
        }
    }
}
