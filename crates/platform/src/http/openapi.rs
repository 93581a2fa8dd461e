//! Making each OpenAPI document say what the server really answers, for the statuses the
//! platform itself produces on every route: 415 and 413 for operations with a JSON body (the
//! `AppJson` extractor and the body limit), 400 for operations with path parameters (a value
//! that does not parse, or carries a NUL), and 429 for the routes behind a rate limit. Each
//! points at the service's `ErrorBody` schema. Generated clients and fuzzers work from it.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};

/// Every operation of `openapi`, mutably.
fn operations(openapi: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ]
        .into_iter()
        .flatten()
    })
}

/// Adds `status` (in the `ErrorBody` envelope) to `operation` unless it documents it already.
fn add_error(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            let body = ResponseBuilder::new().description(description).content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorBody"))),
            );
            RefOr::T(body.build())
        });
}

/// The statuses the platform answers on its own, added where an operation can receive them.
pub fn document_platform_errors(openapi: &mut OpenApi) {
    for operation in operations(openapi) {
        if operation.request_body.is_some() {
            add_error(operation, "415", "The body is not `application/json`");
            add_error(operation, "413", "The body is larger than the limit");
            add_error(
                operation,
                "400",
                "Malformed JSON, a missing or mistyped field, or a NUL character",
            );
        }
        let path_parameters = operation.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => p.parameter_in == ParameterIn::Path,
            RefOr::Ref(_) => false,
        });
        if path_parameters {
            add_error(
                operation,
                "400",
                "A path parameter that does not parse, or holds a NUL character",
            );
        }
    }
}

/// Marks every operation of a route group's document as needing `Authorization: Bearer …`
/// (the `bearer` scheme, which `BearerJwtScheme` or `BearerKeyScheme` declares).
pub fn require_bearer(openapi: &mut OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    for operation in operations(openapi) {
        operation.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// Documents the 429 of a rate limit on every operation of a route group's document.
pub fn document_rate_limit(openapi: &mut OpenApi) {
    for operation in operations(openapi) {
        add_error(
            operation,
            "429",
            "Rate limit exceeded; retry after `Retry-After` seconds",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, PathItem};
    use utoipa::openapi::request_body::RequestBody;
    use utoipa::openapi::{OpenApiBuilder, PathsBuilder};

    #[test]
    fn missing_statuses_are_added_and_documented_ones_kept() {
        let with_body = OperationBuilder::new()
            .request_body(Some(RequestBody::new()))
            .response("400", ResponseBuilder::new().description("ours").build())
            .build();
        let with_id = OperationBuilder::new()
            .parameter(
                ParameterBuilder::new()
                    .name("id")
                    .parameter_in(ParameterIn::Path),
            )
            .build();
        let paths = PathsBuilder::new()
            .path("/a", PathItem::new(HttpMethod::Post, with_body))
            .path("/b/{id}", PathItem::new(HttpMethod::Get, with_id))
            .build();
        let mut doc = OpenApiBuilder::new().paths(paths).build();
        document_platform_errors(&mut doc);
        document_rate_limit(&mut doc);
        let json = serde_json::to_value(&doc).unwrap();
        let a = &json["paths"]["/a"]["post"]["responses"];
        assert_eq!(a["400"]["description"], "ours");
        assert_eq!(
            a["415"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        assert!(a["413"].is_object() && a["429"].is_object());
        let b = &json["paths"]["/b/{id}"]["get"]["responses"];
        assert!(b["400"].is_object() && b["429"].is_object() && b["415"].is_null());
    }
}
