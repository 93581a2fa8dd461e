//! What a detector reports.

use std::fmt;

/// The kinds of personal data and secrets the engine knows, named as the guard contract names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PiiType {
    Email,
    Phone,
    CreditCard,
    Iban,
    FrNir,
    FrSiren,
    FrSiret,
    IpAddress,
    Person,
    Medical,
    LegalRef,
    ApiKey,
}

impl PiiType {
    pub const ALL: [PiiType; 12] = [
        PiiType::Email,
        PiiType::Phone,
        PiiType::CreditCard,
        PiiType::Iban,
        PiiType::FrNir,
        PiiType::FrSiren,
        PiiType::FrSiret,
        PiiType::IpAddress,
        PiiType::Person,
        PiiType::Medical,
        PiiType::LegalRef,
        PiiType::ApiKey,
    ];

    /// The type named `name` (as `as_str` writes it; `NIR` is accepted for `FR_NIR`).
    pub fn from_name(name: &str) -> Option<PiiType> {
        match name {
            "NIR" => Some(PiiType::FrNir),
            _ => PiiType::ALL.into_iter().find(|t| t.as_str() == name),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PiiType::Email => "EMAIL",
            PiiType::Phone => "PHONE",
            PiiType::CreditCard => "CREDIT_CARD",
            PiiType::Iban => "IBAN",
            PiiType::FrNir => "FR_NIR",
            PiiType::FrSiren => "FR_SIREN",
            PiiType::FrSiret => "FR_SIRET",
            PiiType::IpAddress => "IP_ADDRESS",
            PiiType::Person => "PERSON",
            PiiType::Medical => "MEDICAL",
            PiiType::LegalRef => "LEGAL_REF",
            PiiType::ApiKey => "API_KEY",
        }
    }

    /// Which of two findings over the same characters is kept: the more specific, validated one.
    pub(crate) fn precedence(self) -> u8 {
        match self {
            PiiType::ApiKey => 10,
            PiiType::Iban => 9,
            PiiType::FrNir => 8,
            PiiType::FrSiret => 7,
            PiiType::CreditCard => 6,
            PiiType::Email => 5,
            PiiType::FrSiren => 4,
            PiiType::IpAddress => 3,
            PiiType::Phone => 2,
            PiiType::LegalRef | PiiType::Medical | PiiType::Person => 1,
        }
    }
}

impl fmt::Display for PiiType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Validated patterns, cheap enough for the browser.
    One,
    /// Lexicons, context rules and secret formats (server side).
    Two,
}

impl Tier {
    pub fn number(self) -> u8 {
        match self {
            Tier::One => 1,
            Tier::Two => 2,
        }
    }
}

/// One detection. Offsets are in characters (Unicode scalar values), end exclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: PiiType,
    pub start: usize,
    pub end: usize,
    pub score: f32,
    pub tier: Tier,
}
