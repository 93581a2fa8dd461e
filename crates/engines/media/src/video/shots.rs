//! Shot boundaries from per-frame activity: a cut where a frame differs from the previous one
//! far more than its neighbourhood does (an adaptive threshold, as PySceneDetect's
//! AdaptiveDetector), and never closer than a minimum shot length.

use super::TimeSegment;

/// Below this mean absolute difference (0–1) no frame is a cut.
pub const MIN_CUT_DIFF: f64 = 0.08;
/// A cut's difference must exceed this many times the median of its neighbours'.
pub const CUT_RATIO: f64 = 4.0;
const WINDOW: usize = 8;
/// Shots shorter than this (frames) are merged into the one before.
pub const MIN_SHOT_FRAMES: usize = 8;

#[derive(Debug, Clone)]
pub struct Scene {
    pub segment: TimeSegment,
    pub first_frame: usize,
    /// One past the last.
    pub end_frame: usize,
}

/// Mean absolute difference of each frame from the one before (the first: 0).
pub fn activity(frames: &[&[u8]]) -> Vec<f64> {
    let mut out = Vec::with_capacity(frames.len());
    for (i, frame) in frames.iter().enumerate() {
        if i == 0 {
            out.push(0.0);
            continue;
        }
        let sum: u64 = frame
            .iter()
            .zip(frames[i - 1])
            .map(|(a, b)| a.abs_diff(*b) as u64)
            .sum();
        out.push(sum as f64 / (frame.len().max(1) as f64 * 255.0));
    }
    out
}

pub fn detect_shots(diffs: &[f64], fps: f64) -> Vec<Scene> {
    let mut cuts = vec![0usize];
    for i in 1..diffs.len() {
        let d = diffs[i];
        if d < MIN_CUT_DIFF {
            continue;
        }
        let mut neighbours: Vec<f64> = (i.saturating_sub(WINDOW)
            ..(i + WINDOW + 1).min(diffs.len()))
            .filter(|&j| j != i && j != 0)
            .map(|j| diffs[j])
            .collect();
        neighbours.sort_by(f64::total_cmp);
        let median = neighbours.get(neighbours.len() / 2).copied().unwrap_or(0.0);
        if d >= CUT_RATIO * median + 0.01
            && i - cuts.last().copied().unwrap_or(0) >= MIN_SHOT_FRAMES
        {
            cuts.push(i);
        }
    }
    let fps = if fps > 0.0 { fps } else { 25.0 };
    let to_seconds = |f: usize| (f as f64 / fps * 1000.0).round() / 1000.0;
    cuts.iter()
        .enumerate()
        .map(|(k, &start)| {
            let end = cuts.get(k + 1).copied().unwrap_or(diffs.len());
            Scene {
                segment: TimeSegment {
                    start_seconds: to_seconds(start),
                    end_seconds: to_seconds(end),
                },
                first_frame: start,
                end_frame: end,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hard_cuts_are_found_and_slow_motion_is_not() {
        // 3 shots of 30 frames with a slow zoom (small diffs) and two hard cuts.
        let mut diffs = vec![0.0];
        for i in 1..90 {
            diffs.push(if i == 30 || i == 60 {
                0.4
            } else {
                0.01 + (i % 3) as f64 * 0.002
            });
        }
        let scenes = detect_shots(&diffs, 30.0);
        let starts: Vec<usize> = scenes.iter().map(|s| s.first_frame).collect();
        assert_eq!(starts, vec![0, 30, 60]);
        assert_eq!(scenes[1].segment.start_seconds, 1.0);
        assert_eq!(scenes[2].segment.end_seconds, 3.0);
    }

    #[test]
    fn a_flash_of_constant_high_motion_is_not_a_string_of_cuts() {
        let diffs: Vec<f64> = (0..60).map(|i| if i == 0 { 0.0 } else { 0.3 }).collect();
        assert_eq!(detect_shots(&diffs, 30.0).len(), 1);
    }

    proptest! {
        #[test]
        fn scenes_tile_the_video(diffs in proptest::collection::vec(0.0f64..1.0, 1..300)) {
            let scenes = detect_shots(&diffs, 25.0);
            prop_assert_eq!(scenes[0].first_frame, 0);
            prop_assert_eq!(scenes.last().unwrap().end_frame, diffs.len());
            for pair in scenes.windows(2) {
                prop_assert_eq!(pair[0].end_frame, pair[1].first_frame);
                prop_assert!(pair[1].first_frame - pair[0].first_frame >= MIN_SHOT_FRAMES);
            }
        }
    }
}
