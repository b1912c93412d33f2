//! Renders 20 pictures at 1024×1024, prints the mean and p99 render time, and writes the PNGs to
//! `/tmp/render-samples/` (or the folder given as the first argument) to look at.
//!
//! `cargo run --release -p atelier-render --example render_bench [out-dir] [--mosaic]`
//!
//! With `--mosaic`, it also draws every prompt with 16 seeds at 256×256 into 4×4 mosaics
//! (`mosaic-NN.png`), to review the variety a prompt produces.

use atelier_render::{RenderRequest, describe, render};
use std::time::Instant;

const PROMPTS: [&str; 20] = [
    "a lighthouse on a cliff at sunset, oil painting",
    "neon city street at night in the rain",
    "一只在雨中撑伞的橘猫",
    "minimalist pastel abstract shapes",
    "snowy forest under the northern lights",
    "portrait of an astronaut, studio lighting",
    "a misty mountain landscape at dusk in teal and gold",
    "deep blue ocean",
    "red sunset over the hills",
    "a galaxy with a ringed planet",
    "golden desert dunes at dawn",
    "soft bokeh lights in purple and pink",
    "flowing abstract waves",
    "fluid gradient blobs",
    "宁静的森林湖泊",
    "alpine lake at sunrise",
    "a quiet harbour at night",
    "cyberpunk tokyo skyline",
    "winter mountains under a full moon",
    "a cozy cabin",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mosaic = args.iter().any(|a| a == "--mosaic");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "/tmp/render-samples".to_owned());
    std::fs::create_dir_all(&dir)?;
    let mut times = Vec::with_capacity(PROMPTS.len());
    let mut small = Vec::with_capacity(PROMPTS.len());
    for (i, prompt) in PROMPTS.iter().enumerate() {
        let req = RenderRequest {
            prompt,
            seed: 42 + i as u64,
            width: 1024,
            height: 1024,
        };
        let start = Instant::now();
        let img = render(&req);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        let path = format!("{dir}/{i:02}.png");
        img.save(&path)?;
        small.push(image::imageops::resize(
            &img,
            512,
            512,
            image::imageops::FilterType::Triangle,
        ));
        println!("{ms:7.1} ms  {path}  {prompt:?} → {}", describe(&req));
    }
    // Contact sheets of four, for looking at many samples quickly.
    for (n, group) in small.chunks(4).enumerate() {
        let mut sheet = image::RgbImage::new(1024, 1024);
        for (k, img) in group.iter().enumerate() {
            let (x, y) = ((k % 2) as i64 * 512, (k / 2) as i64 * 512);
            image::imageops::replace(&mut sheet, img, x, y);
        }
        sheet.save(format!("{dir}/sheet-{n}.png"))?;
    }
    if mosaic {
        for (i, prompt) in PROMPTS.iter().enumerate() {
            let mut sheet = image::RgbImage::new(1024, 1024);
            for seed in 0..16u64 {
                let req = RenderRequest {
                    prompt,
                    seed,
                    width: 256,
                    height: 256,
                };
                let (x, y) = ((seed % 4) as i64 * 256, (seed / 4) as i64 * 256);
                image::imageops::replace(&mut sheet, &render(&req), x, y);
            }
            sheet.save(format!("{dir}/mosaic-{i:02}.png"))?;
        }
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let p99 = times[(times.len() * 99).div_ceil(100) - 1];
    println!(
        "render 1024×1024: mean {mean:.1} ms, p99 {p99:.1} ms, max {:.1} ms",
        times[times.len() - 1]
    );
    Ok(())
}
