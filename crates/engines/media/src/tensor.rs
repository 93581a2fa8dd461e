//! Image ↔ tensor plumbing shared by the models: NCHW/NHWC packing, running a session, and
//! reading one named output as a flat f32 slice.

use image::RgbImage;
use ort::session::Session;
use ort::value::Tensor;

use crate::MediaError;

/// Packs `image` as [1, 3, H, W], each channel value mapped by `map(channel, byte)`; `bgr`
/// swaps the channel order.
pub fn nchw(image: &RgbImage, bgr: bool, map: impl Fn(usize, u8) -> f32) -> Vec<f32> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let plane = w * h;
    let mut out = vec![0f32; 3 * plane];
    for (i, p) in image.pixels().enumerate() {
        for c in 0..3 {
            let source = if bgr { 2 - c } else { c };
            out[c * plane + i] = map(c, p[source]);
        }
    }
    out
}

/// One output: its shape and values.
pub type Output = (Vec<i64>, Vec<f32>);

/// Runs `session` on one f32 input of `shape`; returns every output in order.
pub fn run(
    session: &mut Session,
    shape: [usize; 4],
    data: Vec<f32>,
) -> Result<Vec<Output>, MediaError> {
    let input = Tensor::from_array((shape, data))?;
    let outputs = session.run(ort::inputs![input])?;
    let mut all = Vec::with_capacity(outputs.len());
    for (_, value) in outputs.iter() {
        let (shape, values) = value.try_extract_tensor::<f32>()?;
        all.push((shape.iter().copied().collect(), values.to_vec()));
    }
    Ok(all)
}

/// Names of a session's outputs, in order.
pub fn output_names(session: &Session) -> Vec<String> {
    session
        .outputs()
        .iter()
        .map(|o| o.name().to_string())
        .collect()
}
