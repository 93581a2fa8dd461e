//! ffprobe's facts about the first video stream, and the ffmpeg commands that decode it.

use serde::Serialize;
use serde_json::Value;

/// Prints the container and stream facts as JSON.
pub const COMMAND: &str = "exec ffprobe -v error -print_format json -show_format -show_streams -select_streams v:0 input/data";

/// Streams every frame as 64×36 grey on stdout and writes one frame per `1/fps` seconds, at
/// `w`×`h` RGB, to samples.rgb (read back by [`SAMPLES_COMMAND`]). `-autorotate` (the default)
/// turns the frames upright. The H.264/HEVC deblocking filter is skipped (`-skip_loop_filter
/// all`, `-flags2 +fast`): its smoothing changes nothing at 64×36 and little at 640 px, and it is
/// a large share of decode time.
pub fn decode_command(w: u32, h: u32, fps: f64) -> String {
    format!(
        "exec ffmpeg -v error -nostdin -threads 1 -skip_loop_filter all -flags2 +fast -i input/data -an -sn -dn -filter_complex \
         '[0:v:0]split=2[a][b];[a]scale=64:36:flags=area,format=gray[g];[b]fps={fps:.6},scale={w}:{h}:flags=area,format=rgb24[s]' \
         -map '[g]' -f rawvideo pipe:1 -map '[s]' -f rawvideo samples.rgb"
    )
}

pub const SAMPLES_COMMAND: &str = "exec cat samples.rgb";

#[derive(Debug, Clone, Serialize)]
pub struct VideoFacts {
    /// ffprobe's format name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub container: String,
    pub codec: String,
    /// Upright (rotation applied).
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub duration_seconds: f64,
    /// Degrees the stream is turned by its display matrix or `rotate` tag.
    pub rotation: i64,
    pub frame_count: Option<u64>,
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

fn rate(v: &Value) -> Option<f64> {
    let (n, d) = v.as_str()?.split_once('/')?;
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    (d > 0.0 && n > 0.0).then(|| n / d)
}

pub fn parse(json: &[u8]) -> Result<VideoFacts, String> {
    let doc: Value =
        serde_json::from_slice(json).map_err(|e| format!("ffprobe answered no JSON: {e}"))?;
    let stream = doc["streams"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["codec_type"] == "video"))
        .ok_or("no video stream")?;
    let codec = stream["codec_name"]
        .as_str()
        .unwrap_or("unknown")
        .to_string();
    if matches!(
        codec.as_str(),
        "png" | "mjpeg" | "bmp" | "gif" | "webp" | "tiff" | "ansi"
    ) && stream["nb_frames"].as_str() == Some("1")
    {
        return Err(format!("a still image ({codec}), not a video"));
    }
    let width = stream["width"].as_u64().ok_or("no width")? as u32;
    let height = stream["height"].as_u64().ok_or("no height")? as u32;
    let rotation = stream["side_data_list"]
        .as_array()
        .and_then(|l| l.iter().find_map(|d| d["rotation"].as_i64()))
        .or_else(|| number(&stream["tags"]["rotate"]).map(|r| r as i64))
        .unwrap_or(0);
    let (width, height) = if rotation.rem_euclid(180) == 90 {
        (height, width)
    } else {
        (width, height)
    };
    let fps = rate(&stream["avg_frame_rate"])
        .or_else(|| rate(&stream["r_frame_rate"]))
        .unwrap_or(0.0);
    let duration_seconds = number(&stream["duration"])
        .or_else(|| number(&doc["format"]["duration"]))
        .unwrap_or(0.0);
    if duration_seconds.is_nan() || duration_seconds <= 0.0 {
        return Err("the video has no duration".into());
    }
    Ok(VideoFacts {
        container: doc["format"]["format_name"]
            .as_str()
            .unwrap_or("unknown")
            .to_string(),
        codec,
        width,
        height,
        fps: (fps * 1000.0).round() / 1000.0,
        duration_seconds: (duration_seconds * 1000.0).round() / 1000.0,
        rotation,
        frame_count: stream["nb_frames"].as_str().and_then(|n| n.parse().ok()),
    })
}

/// The sampled frames' size: long side `side` (never upscaled), even numbers.
pub fn sample_size(facts: &VideoFacts, side: u32) -> (u32, u32) {
    let scale = (side as f64 / facts.width.max(facts.height).max(1) as f64).min(1.0);
    let even = |v: f64| ((v.round() as u32) / 2 * 2).max(2);
    (
        even(facts.width as f64 * scale),
        even(facts.height as f64 * scale),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_document_is_read() {
        let json = br#"{"streams":[{"codec_type":"video","codec_name":"h264","width":1920,"height":1080,
            "avg_frame_rate":"30000/1001","duration":"12.012","nb_frames":"360",
            "side_data_list":[{"rotation":-90}]}],"format":{"format_name":"mov,mp4","duration":"12.05"}}"#;
        let facts = parse(json).unwrap();
        assert_eq!(
            (facts.width, facts.height, facts.rotation),
            (1080, 1920, -90)
        );
        assert!((facts.fps - 29.97).abs() < 0.01);
        assert_eq!(facts.frame_count, Some(360));
        assert_eq!(sample_size(&facts, 640), (360, 640));
    }

    #[test]
    fn text_and_stills_are_not_videos() {
        assert!(parse(b"not json").is_err());
        assert!(parse(br#"{"streams":[],"format":{}}"#).is_err());
        let still = br#"{"streams":[{"codec_type":"video","codec_name":"png","width":4,"height":4,"nb_frames":"1"}],"format":{"duration":"0.04"}}"#;
        assert!(parse(still).unwrap_err().contains("still image"));
    }
}
