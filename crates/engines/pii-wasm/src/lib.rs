//! The pii engine compiled to wasm32 for scripts/bench-pii-wasm: Node picks one of the
//! benchmark prompts (the same text as crates/engines/pii/benches/detect.rs) and times each
//! `detect` call from outside, since wasm32-unknown-unknown has no clock of its own.
//!
//!     cargo build --release -p pii-wasm --target wasm32-unknown-unknown

use std::cell::RefCell;

#[path = "../../pii/benches/support/prompts.rs"]
mod prompts;

thread_local! {
    static PROMPT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Selects the prompt later calls run on: 0 = 80 chars with PII, 1 = 80 chars PII-free,
/// anything else = a mixed FR/EN prompt of that many bytes. Returns its length in bytes.
#[no_mangle]
pub extern "C" fn select_prompt(kind: u32) -> u32 {
    let text = match kind {
        0 => prompts::SHORT.to_string(),
        1 => prompts::SHORT_CLEAN.to_string(),
        bytes => prompts::long_prompt(bytes as usize),
    };
    let len = text.len() as u32;
    PROMPT.with(|p| *p.borrow_mut() = text);
    len
}

/// Runs Tier 1 + 2 on the selected prompt; returns the number of findings.
#[no_mangle]
pub extern "C" fn detect_selected() -> u32 {
    PROMPT.with(|p| pii::detect(&p.borrow()).len() as u32)
}
