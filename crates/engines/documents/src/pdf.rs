//! PDF typesetting: a set of Typst templates compiled with JSON data into a PDF with embedded
//! fonts (Typst's own: Libertinus Serif, New Computer Modern, DejaVu Sans Mono).
//!
//! The data reaches the template as one string input, `sys.inputs.data`, holding JSON; a
//! template reads it with `json(bytes(sys.inputs.data))`. Nothing is read from disk or the
//! network at render time: templates and fonts are compiled into the binary.

use typst::foundations::{Dict, IntoValue};
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

/// Why a document could not be produced. Both are bugs in a template or its data, never the
/// caller's input, so a service answers them with a 500.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the template did not compile: {0}")]
    Template(String),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// Compiled-in templates, ready to render many times (Typst caches what does not change).
pub struct Typesetter {
    engine: TypstEngine,
}

impl Typesetter {
    /// `sources`: `(file name, Typst source)` pairs; a template may `#import` the others.
    pub fn new(sources: &[(&'static str, &'static str)]) -> Typesetter {
        let engine = TypstEngine::builder()
            .fonts(typst_assets::fonts())
            .with_static_source_file_resolver(sources.iter().copied())
            .build();
        Typesetter { engine }
    }

    /// Renders `main` with `data` as its input, to PDF bytes.
    pub fn render(&self, main: &str, data: &serde_json::Value) -> Result<Vec<u8>, RenderError> {
        let mut inputs = Dict::new();
        inputs.insert("data".into(), data.to_string().into_value());
        let compiled = self.engine.compile_with_input(main, inputs);
        let document: PagedDocument = compiled
            .output
            .map_err(|e| RenderError::Template(e.to_string()))?;
        typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
            .map_err(|e| RenderError::Pdf(format!("{e:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &str = r#"#let d = json(bytes(sys.inputs.data))
#set page(paper: "a4", footer: context [page #counter(page).display()])
= Hello #d.name
#table(columns: 2, [a], [b], ..d.rows.map(r => (r.k, str(r.v))).flatten())
"#;

    #[test]
    fn renders_a_pdf_with_the_data() {
        let typesetter = Typesetter::new(&[("hello.typ", HELLO)]);
        let data = serde_json::json!({"name": "World", "rows": [{"k": "x", "v": 1}]});
        let pdf = typesetter.render("hello.typ", &data).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        assert!(pdf.len() > 1000);
    }

    #[test]
    fn a_template_error_is_reported_not_panicked() {
        let typesetter = Typesetter::new(&[(
            "bad.typ",
            "#let d = json(bytes(sys.inputs.data))\n#d.missing.field",
        )]);
        let err = typesetter
            .render("bad.typ", &serde_json::json!({}))
            .unwrap_err();
        assert!(matches!(err, RenderError::Template(_)), "{err}");
    }
}
