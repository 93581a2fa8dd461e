//! The prompts the latency benchmarks time, shared by the native bench (benches/detect.rs) and
//! the wasm one (examples/wasm_bench.rs), so both measure the same text.

/// An 80-character prompt with an email and a phone number.
pub const SHORT: &str = "Écris à alice@acme.fr et rappelle-moi au 06 12 34 56 78 avant midi.";

/// An 80-character prompt without personal data.
pub const SHORT_CLEAN: &str = "Résume l'article sur la réforme des retraites en trois points.";

/// A realistic long prompt: French and English prose with a few identifiers and a secret.
pub fn long_prompt(target_bytes: usize) -> String {
    let paragraphs = [
        "Bonjour, peux-tu reformuler ce courriel pour le service client ? Le client dit ne pas avoir reçu sa commande et demande un remboursement rapide. ",
        "Please summarise the following meeting notes: the team agreed to migrate the billing service next quarter, pending the security review. ",
        "Voici ses coordonnées : jean.dupont@exemple.fr, téléphone +33 1 23 45 67 89, IBAN FR76 3000 6000 0112 3456 7890 189. ",
        "The deployment failed on host 10.12.4.7 with token 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 in the logs; explain the stack trace. ",
        "Traduis en anglais : « Nous avons bien reçu votre dossier et nous reviendrons vers vous sous huit jours ouvrés. » ",
    ];
    let mut text = String::new();
    let mut i = 0;
    while text.len() < target_bytes {
        text.push_str(paragraphs[i % paragraphs.len()]);
        i += 1;
    }
    let mut end = target_bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}
