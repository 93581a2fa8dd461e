//! Sections: each shot gets one tag from a fixed vocabulary by the first rule it meets, and
//! the shots of a tag form that tag's section (docs/services.md lists the rules).
//!
//! | tag | rule (in this order) | confidence |
//! |---|---|---|
//! | `intro` | the first of ≥ 3 shots, ≤ 20 % of the video | 1 |
//! | `outro` | the last of ≥ 3 shots, ≤ 20 % of the video | 1 |
//! | `text_slide` | text was read, activity < 0.02 | 1 − activity / 0.02 |
//! | `group` | ≥ 2 people | min(1, people / 3 + 1/3) |
//! | `talking_head` | 1 person, activity < 0.03 | 1 − activity / 0.03 |
//! | `action` | activity ≥ 0.05 | min(1, activity / 0.1) |
//! | `scene` | otherwise | 0.5 |
//!
//! Activity is the shot's mean frame difference (0–1). `is_critical`: the section shows
//! people or text. `relative_activity`: its activity over the most active section's.

use serde::Serialize;

use super::{PersonScene, Scene, TextSegment, TimeSegment};

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub section_tag: &'static str,
    pub time_segments: Vec<TimeSegment>,
    pub thumbnail_timestamp: f64,
    pub confidence: f64,
    pub is_critical: bool,
    pub relative_activity: f64,
}

struct Tagged {
    tag: &'static str,
    confidence: f64,
    activity: f64,
    critical: bool,
}

fn overlaps(a: &TimeSegment, b: &TimeSegment) -> bool {
    a.start_seconds < b.end_seconds && b.start_seconds < a.end_seconds
}

pub fn sections(
    scenes: &[Scene],
    diffs: &[f64],
    _fps: f64,
    people: &[PersonScene],
    text: &[TextSegment],
) -> Vec<Section> {
    let total: f64 = scenes
        .last()
        .map(|s| s.segment.end_seconds)
        .unwrap_or(0.0)
        .max(1e-6);
    let tagged: Vec<Tagged> = scenes
        .iter()
        .enumerate()
        .map(|(i, scene)| {
            let frames = &diffs[(scene.first_frame + 1).min(scene.end_frame)..scene.end_frame];
            let activity = if frames.is_empty() {
                0.0
            } else {
                frames.iter().sum::<f64>() / frames.len() as f64
            };
            let persons = people
                .iter()
                .filter(|p| overlaps(&p.time_segment, &scene.segment))
                .map(|p| p.person_ids.len())
                .max()
                .unwrap_or(0);
            let has_text = text
                .iter()
                .any(|t| overlaps(&t.time_segment, &scene.segment));
            let short = (scene.segment.end_seconds - scene.segment.start_seconds) / total <= 0.2;
            let (tag, confidence) = if scenes.len() >= 3 && i == 0 && short {
                ("intro", 1.0)
            } else if scenes.len() >= 3 && i == scenes.len() - 1 && short {
                ("outro", 1.0)
            } else if has_text && activity < 0.02 {
                ("text_slide", 1.0 - activity / 0.02)
            } else if persons >= 2 {
                ("group", (persons as f64 / 3.0 + 1.0 / 3.0).min(1.0))
            } else if persons == 1 && activity < 0.03 {
                ("talking_head", 1.0 - activity / 0.03)
            } else if activity >= 0.05 {
                ("action", (activity / 0.1).min(1.0))
            } else {
                ("scene", 0.5)
            };
            Tagged {
                tag,
                confidence,
                activity,
                critical: persons > 0 || has_text,
            }
        })
        .collect();
    let mut order: Vec<&'static str> = Vec::new();
    for t in &tagged {
        if !order.contains(&t.tag) {
            order.push(t.tag);
        }
    }
    let mut out: Vec<Section> = order
        .into_iter()
        .map(|tag| {
            let members: Vec<(usize, &Tagged)> = tagged
                .iter()
                .enumerate()
                .filter(|(_, t)| t.tag == tag)
                .collect();
            let segments: Vec<TimeSegment> = members
                .iter()
                .map(|(i, _)| scenes[*i].segment.clone())
                .collect();
            let longest = segments
                .iter()
                .max_by(|a, b| {
                    (a.end_seconds - a.start_seconds).total_cmp(&(b.end_seconds - b.start_seconds))
                })
                .cloned()
                .expect("a section has a shot");
            let n = members.len() as f64;
            Section {
                section_tag: tag,
                thumbnail_timestamp: ((longest.start_seconds + longest.end_seconds) / 2.0 * 1000.0)
                    .round()
                    / 1000.0,
                confidence: (members.iter().map(|(_, t)| t.confidence).sum::<f64>() / n * 1000.0)
                    .round()
                    / 1000.0,
                is_critical: members.iter().any(|(_, t)| t.critical),
                relative_activity: members.iter().map(|(_, t)| t.activity).sum::<f64>() / n,
                time_segments: segments,
            }
        })
        .collect();
    let most = out.iter().map(|s| s.relative_activity).fold(0.0, f64::max);
    for s in &mut out {
        s.relative_activity = if most > 0.0 {
            (s.relative_activity / most * 1000.0).round() / 1000.0
        } else {
            0.0
        };
    }
    out
}
