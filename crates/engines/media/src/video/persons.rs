//! People across a video: faces from the sampled frames grouped by their SFace embeddings
//! (a face joins the person whose mean embedding is closest, when the cosine reaches
//! [`SAME_PERSON`]), then listed per shot with averaged attributes and prominence.

use serde::Serialize;

use super::{PersonScene, Scene};
use crate::faces::{cosine, Face, SAME_PERSON};

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    /// Ours: the same id in every scene the person appears in.
    pub person_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_embedding: Option<Vec<f32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_thumbnail: Option<String>,
    pub allowlisted: bool,
    /// This person's face area in the scene over the largest person's, 0–1.
    pub relative_prominence: f32,
}

struct Sighting {
    seconds: f64,
    area: f32,
    face: Face,
}

struct Track {
    sum: Vec<f32>,
    sightings: Vec<Sighting>,
}

impl Track {
    fn mean(&self) -> Vec<f32> {
        let norm = self.sum.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-6);
        self.sum.iter().map(|v| v / norm).collect()
    }
}

#[derive(Default)]
pub struct People {
    tracks: Vec<Track>,
}

impl People {
    pub fn add(&mut self, seconds: f64, faces: Vec<Face>) {
        for face in faces {
            let Some(embedding) = face.face_embedding.clone() else {
                continue;
            };
            let best = self
                .tracks
                .iter()
                .enumerate()
                .map(|(i, t)| (i, cosine(&t.mean(), &embedding)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let area = face.bounding_box.width * face.bounding_box.height;
            let sighting = Sighting {
                seconds,
                area,
                face,
            };
            match best {
                Some((i, similarity)) if similarity >= SAME_PERSON => {
                    let track = &mut self.tracks[i];
                    track
                        .sum
                        .iter_mut()
                        .zip(&embedding)
                        .for_each(|(s, e)| *s += e);
                    track.sightings.push(sighting);
                }
                _ => self.tracks.push(Track {
                    sum: embedding,
                    sightings: vec![sighting],
                }),
            }
        }
    }

    pub fn by_scene(&self, scenes: &[Scene]) -> Vec<PersonScene> {
        let mut out = Vec::new();
        for scene in scenes {
            let (start, end) = (scene.segment.start_seconds, scene.segment.end_seconds);
            let mut present: Vec<(usize, f32)> = Vec::new();
            for (i, track) in self.tracks.iter().enumerate() {
                let area: f32 = track
                    .sightings
                    .iter()
                    .filter(|s| s.seconds >= start && s.seconds < end)
                    .map(|s| s.area)
                    .sum();
                if area > 0.0 {
                    present.push((i, area));
                }
            }
            if present.is_empty() {
                continue;
            }
            let largest = present.iter().map(|p| p.1).fold(0.0f32, f32::max).max(1e-6);
            let person_ids = present
                .into_iter()
                .map(|(i, area)| self.person(i, area / largest))
                .collect();
            out.push(PersonScene {
                time_segment: scene.segment.clone(),
                person_ids,
            });
        }
        out
    }

    fn person(&self, index: usize, prominence: f32) -> Person {
        let track = &self.tracks[index];
        let ages: Vec<f32> = track.sightings.iter().filter_map(|s| s.face.age).collect();
        let (female, male) = track.sightings.iter().fold((0.0f32, 0.0f32), |(f, m), s| {
            match (s.face.gender, s.face.gender_confidence) {
                (Some("female"), Some(c)) => (f + c, m + 1.0 - c),
                (Some("male"), Some(c)) => (f + 1.0 - c, m + c),
                _ => (f, m),
            }
        });
        let total = (female + male).max(1e-6);
        let gender = if female / total >= crate::faces::GENDER_CONFIDENCE {
            "female"
        } else if male / total >= crate::faces::GENDER_CONFIDENCE {
            "male"
        } else {
            "unidentified"
        };
        let biggest = track
            .sightings
            .iter()
            .max_by(|a, b| a.area.total_cmp(&b.area));
        Person {
            person_id: format!("person_{}", index + 1),
            age: (!ages.is_empty())
                .then(|| (ages.iter().sum::<f32>() / ages.len() as f32 * 10.0).round() / 10.0),
            gender: Some(gender.into()),
            face_embedding: Some(track.mean()),
            face_thumbnail: biggest.and_then(|s| s.face.face_thumbnail.clone()),
            allowlisted: false,
            relative_prominence: (prominence * 1000.0).round() / 1000.0,
        }
    }
}
