//! Visual comparison of a step's screenshot with its baseline: the share of pixels that differ
//! (masked regions left out), and a diff image that highlights where.
//!
//! A pixel differs when one of its colour channels differs by more than [`CHANNEL_TOLERANCE`]
//! (anti-aliasing and colour rounding stay below it). The diff image is today's screenshot,
//! faded, with the differing pixels in red, the 16×16 areas around them tinted, and the masked
//! regions greyed out. Screenshots of different sizes are compared on their common area; the
//! rest counts as changed.

use std::io::Cursor;

use image::{ImageFormat, Rgba, RgbaImage};

use crate::browser::fingerprint::Rect;

/// A channel difference up to this much (of 255) is noise, not change.
pub const CHANNEL_TOLERANCE: u8 = 32;
/// Side of the areas tinted around differing pixels in the diff image.
const CELL: u32 = 16;

/// How two screenshots differ.
#[derive(Debug, Clone)]
pub struct PixelDiff {
    /// Share (0–1) of the compared pixels that differ.
    pub share: f64,
    /// The diff image (PNG); none when nothing differs.
    pub png: Option<Vec<u8>>,
}

/// Reading or writing an image failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot compare the screenshots: {0}")]
pub struct PixelError(#[from] image::ImageError);

/// Compares `before` (the baseline) with `after` (today), both PNG, leaving out `masks`.
pub fn compare(before: &[u8], after: &[u8], masks: &[Rect]) -> Result<PixelDiff, PixelError> {
    let a = image::load_from_memory_with_format(before, ImageFormat::Png)?.to_rgba8();
    let b = image::load_from_memory_with_format(after, ImageFormat::Png)?.to_rgba8();
    let (w, h) = (b.width(), b.height());
    let masked = |x: u32, y: u32| {
        masks
            .iter()
            .any(|r| x >= r.x && y >= r.y && x < r.x.saturating_add(r.width) && y < r.y.saturating_add(r.height))
    };
    let (mut total, mut changed) = (0u64, 0u64);
    let mut hits = vec![false; (w * h) as usize];
    let mut cells = vec![false; (w.div_ceil(CELL) * h.div_ceil(CELL)) as usize];
    let cols = w.div_ceil(CELL);
    for y in 0..h {
        for x in 0..w {
            if masked(x, y) {
                continue;
            }
            total += 1;
            let differs = if x < a.width() && y < a.height() {
                let (p, q) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
                (0..3).any(|c| p[c].abs_diff(q[c]) > CHANNEL_TOLERANCE)
            } else {
                true
            };
            if differs {
                changed += 1;
                hits[(y * w + x) as usize] = true;
                cells[((y / CELL) * cols + x / CELL) as usize] = true;
            }
        }
    }
    // The baseline's area beyond today's screenshot counts as changed too.
    let extra =
        u64::from(a.width()) * u64::from(a.height()) - u64::from(a.width().min(w)) * u64::from(a.height().min(h));
    total += extra;
    changed += extra;
    let share = if total == 0 { 0.0 } else { changed as f64 / total as f64 };
    if changed == 0 {
        return Ok(PixelDiff { share, png: None });
    }
    let mut out = RgbaImage::new(w, h);
    for (x, y, px) in out.enumerate_pixels_mut() {
        let [r, g, bl, _] = b.get_pixel(x, y).0;
        let lum = (u32::from(r) * 3 + u32::from(g) * 6 + u32::from(bl)) / 10;
        let faded = (170 + lum / 3).min(255) as u8;
        *px = if hits[(y * w + x) as usize] {
            Rgba([220, 0, 0, 255])
        } else if masked(x, y) {
            Rgba([150, 150, 150, 255])
        } else if cells[((y / CELL) * cols + x / CELL) as usize] {
            Rgba([255, faded / 2 + 40, faded / 2 + 40, 255])
        } else {
            Rgba([faded, faded, faded, 255])
        };
    }
    let mut png = Cursor::new(Vec::new());
    out.write_to(&mut png, ImageFormat::Png)?;
    Ok(PixelDiff {
        share,
        png: Some(png.into_inner()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, paint: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
        let img = RgbaImage::from_fn(w, h, |x, y| {
            let [r, g, b] = paint(x, y);
            Rgba([r, g, b, 255])
        });
        let mut c = Cursor::new(Vec::new());
        img.write_to(&mut c, ImageFormat::Png).unwrap();
        c.into_inner()
    }

    #[test]
    fn identical_and_noise_only_screenshots_do_not_differ() {
        let a = png(40, 30, |_, _| [200, 200, 200]);
        let b = png(40, 30, |x, _| if x == 3 { [210, 190, 200] } else { [200, 200, 200] });
        let d = compare(&a, &b, &[]).unwrap();
        assert_eq!(d.share, 0.0);
        assert!(d.png.is_none());
    }

    #[test]
    fn a_changed_region_is_counted_and_highlighted_unless_masked() {
        let a = png(40, 30, |_, _| [255, 255, 255]);
        let b = png(
            40,
            30,
            |x, y| if x < 10 && y < 10 { [0, 0, 0] } else { [255, 255, 255] },
        );
        let d = compare(&a, &b, &[]).unwrap();
        assert!((d.share - 100.0 / 1200.0).abs() < 1e-9, "{}", d.share);
        let diff = image::load_from_memory(&d.png.unwrap()).unwrap().to_rgba8();
        assert_eq!(diff.get_pixel(5, 5).0, [220, 0, 0, 255]);
        assert_ne!(diff.get_pixel(30, 25).0, [220, 0, 0, 255]);
        let mask = Rect {
            x: 0,
            y: 0,
            width: 10,
            height: 10,
        };
        let d = compare(&a, &b, &[mask]).unwrap();
        assert_eq!(d.share, 0.0);
    }

    #[test]
    fn a_different_size_counts_the_missing_area_as_changed() {
        let a = png(40, 40, |_, _| [255, 255, 255]);
        let b = png(40, 30, |_, _| [255, 255, 255]);
        let d = compare(&a, &b, &[]).unwrap();
        assert!((d.share - 400.0 / 1600.0).abs() < 1e-9, "{}", d.share);
    }
}
