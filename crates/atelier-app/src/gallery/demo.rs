//! The demo gallery of `serve --demo`: a few thousand prompts composed from a vocabulary of our
//! own (subjects, places, styles, lighting, lenses, palettes; English and Chinese), drawn by the
//! offline renderer in background jobs, so that a fresh clone shows a living gallery at once.

use super::images::seed_of;
use crate::{App, AppError, JobKind};
use atelier_core::Aspect;
use atelier_db::gallery::{GalleryImageInput, GalleryItemInput, UpsertOutcome};
use serde::{Deserialize, Serialize};

/// Items in the demo gallery.
pub const DEMO_ITEMS: u32 = 2_400;
/// Items per seeding job.
const BATCH: u32 = 24;
/// Time between the starts of two seeding jobs.
const SEED_STAGGER: std::time::Duration = std::time::Duration::from_millis(1500);
/// Bump to reseed existing demo instances after the vocabulary changes.
const DEMO_VERSION: &str = "1";
/// The source name of demo items.
pub const DEMO_SOURCE: &str = "demo";

/// Job payload of [`JobKind::DemoSeed`]: items `from..to`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SeedJob {
    /// First item number.
    pub from: u32,
    /// One past the last.
    pub to: u32,
}

/// (English, Chinese, category)
const SUBJECTS: &[(&str, &str, &str)] = &[
    (
        "a lighthouse on a rocky cliff",
        "悬崖上的灯塔",
        "Photography",
    ),
    (
        "an orange cat holding an umbrella",
        "撑伞的橘猫",
        "Illustration & 3D",
    ),
    ("a lone astronaut", "孤独的宇航员", "Illustration & 3D"),
    (
        "a bowl of steaming ramen",
        "一碗热气腾腾的拉面",
        "Food & Drink",
    ),
    ("a vintage red bicycle", "复古红色自行车", "Photography"),
    (
        "a koi pond with lotus flowers",
        "开满荷花的锦鲤池",
        "Photography",
    ),
    (
        "a wooden cabin by a frozen lake",
        "冰湖边的小木屋",
        "Photography",
    ),
    ("a glass perfume bottle", "玻璃香水瓶", "Product & Brand"),
    (
        "a pair of white sneakers",
        "一双白色运动鞋",
        "Product & Brand",
    ),
    ("a fox in a snowy forest", "雪林中的狐狸", "Photography"),
    (
        "a floating island with waterfalls",
        "有瀑布的浮空岛",
        "Illustration & 3D",
    ),
    (
        "an old bookshop on a rainy street",
        "雨街上的旧书店",
        "Illustration & 3D",
    ),
    ("a cup of latte art coffee", "一杯拉花咖啡", "Food & Drink"),
    ("a mechanical owl", "机械猫头鹰", "Illustration & 3D"),
    ("a jazz festival poster", "爵士音乐节海报", "Poster Design"),
    (
        "a mobile banking app screen",
        "手机银行应用界面",
        "UI & Graphic",
    ),
    ("a ceramic teapot", "陶瓷茶壶", "Product & Brand"),
    ("a sailing boat at sea", "海上的帆船", "Photography"),
    (
        "a dragon made of clouds",
        "云朵化成的龙",
        "Illustration & 3D",
    ),
    ("a neon noodle stall", "霓虹灯下的面摊", "Photography"),
    (
        "a stack of pancakes with berries",
        "配浆果的松饼",
        "Food & Drink",
    ),
    ("a desert caravan", "沙漠驼队", "Photography"),
    (
        "a greenhouse full of ferns",
        "满是蕨类的温室",
        "Photography",
    ),
    (
        "a retro synthwave car",
        "复古合成波跑车",
        "Illustration & 3D",
    ),
    (
        "a mountain temple in the mist",
        "雾中的山间寺庙",
        "Photography",
    ),
    ("a minimalist watch", "极简手表", "Product & Brand"),
    ("a film festival poster", "电影节海报", "Poster Design"),
    ("a smart home dashboard", "智能家居控制面板", "UI & Graphic"),
    (
        "a girl reading under a cherry tree",
        "樱花树下读书的女孩",
        "Illustration & 3D",
    ),
    (
        "a whale swimming through the clouds",
        "在云中遨游的鲸鱼",
        "Illustration & 3D",
    ),
    ("a street market at dusk", "黄昏的街市", "Photography"),
    (
        "a bowl of fresh fruit salad",
        "一碗新鲜水果沙拉",
        "Food & Drink",
    ),
    ("a robot gardener", "机器人园丁", "Illustration & 3D"),
    ("a skincare product set", "护肤品套装", "Product & Brand"),
    (
        "a concert poster for a rock band",
        "摇滚乐队演唱会海报",
        "Poster Design",
    ),
    ("a weather app widget", "天气应用小组件", "UI & Graphic"),
];

/// (English, Chinese)
const PLACES: &[(&str, &str)] = &[
    ("at sunset", "日落时分"),
    ("under the northern lights", "北极光下"),
    ("in the rain", "雨中"),
    ("on a foggy morning", "雾气弥漫的清晨"),
    ("at night in a neon city", "夜晚的霓虹城市"),
    ("in a snowy forest", "雪中森林"),
    ("by the ocean", "海边"),
    ("in a desert at golden hour", "黄金时刻的沙漠"),
    ("in outer space among the stars", "星空之中"),
    ("in a spring meadow", "春日草地"),
    ("on a studio backdrop", "摄影棚背景前"),
    ("in an autumn park", "秋天的公园"),
];

/// (English, Chinese)
const STYLES: &[(&str, &str)] = &[
    ("cinematic photograph", "电影感摄影"),
    ("watercolor painting", "水彩画"),
    ("oil painting with thick brushstrokes", "厚涂油画"),
    ("Studio Ghibli inspired illustration", "吉卜力风格插画"),
    ("isometric 3D render", "等距3D渲染"),
    ("ukiyo-e woodblock print", "浮世绘木版画"),
    ("minimalist flat vector art", "极简扁平矢量插画"),
    (
        "analog film photo, Kodak Portra 400",
        "胶片摄影，柯达Portra 400",
    ),
    ("claymation diorama", "黏土定格动画场景"),
    ("Chinese ink wash painting", "水墨画"),
    ("cyberpunk concept art", "赛博朋克概念艺术"),
    (
        "product photography on seamless paper",
        "无缝背景纸产品摄影",
    ),
];

/// (English, Chinese)
const LIGHTING: &[(&str, &str)] = &[
    ("soft golden hour light", "柔和的金色光线"),
    ("dramatic rim lighting", "戏剧性的轮廓光"),
    ("moody low-key lighting", "低调氛围光"),
    ("bright diffused daylight", "明亮的漫射日光"),
    ("volumetric god rays", "体积光束"),
    ("neon reflections", "霓虹反光"),
];

/// English only: lenses read the same in both languages.
const LENSES: &[&str] = &[
    "35mm lens",
    "85mm f/1.4",
    "wide angle 24mm",
    "macro 100mm",
    "tilt-shift",
    "telephoto 200mm",
];

/// (English, Chinese)
const PALETTES: &[(&str, &str)] = &[
    ("teal and orange palette", "青橙色调"),
    ("pastel pink and mint colors", "粉色与薄荷绿的马卡龙色"),
    ("deep blue and gold", "深蓝与金色"),
    ("monochrome black and white", "黑白单色"),
    ("warm red and amber tones", "暖红与琥珀色调"),
    ("emerald green and cream", "祖母绿与奶油色"),
    ("purple and magenta neon", "紫色与品红霓虹"),
];

/// Fictional demo artists: (handle, display name).
const ARTISTS: &[(&str, &str)] = &[
    ("atelier_demo", "Atelier Demo"),
    ("pixel_pilgrim", "Pixel Pilgrim"),
    ("lumen_lab", "Lumen Lab"),
    ("mo_yun", "墨云"),
    ("quiet_orbit", "Quiet Orbit"),
    ("xiao_lan", "小岚"),
];

const ASPECTS: &[Aspect] = &[
    Aspect::Portrait3x4,
    Aspect::Square,
    Aspect::Portrait2x3,
    Aspect::Landscape4x3,
    Aspect::Portrait4x5,
    Aspect::Landscape16x9,
    Aspect::Portrait9x16,
    Aspect::Landscape3x2,
];

fn pick<T: Copy>(list: &[T], seed: u64, salt: u64) -> T {
    let mixed =
        (seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let index = usize::try_from((mixed >> 17) % list.len() as u64).unwrap_or(0);
    list[index]
}

/// The demo item number `n`: always the same for the same `n`.
#[must_use]
pub fn demo_item(n: u32, now: i64) -> GalleryItemInput {
    let seed = seed_of(&format!("demo:{n}"));
    let (subject_en, subject_zh, category) = pick(SUBJECTS, seed, 1);
    let (place_en, place_zh) = pick(PLACES, seed, 2);
    let (style_en, style_zh) = pick(STYLES, seed, 3);
    let (light_en, light_zh) = pick(LIGHTING, seed, 4);
    let lens = pick(LENSES, seed, 5);
    let (palette_en, palette_zh) = pick(PALETTES, seed, 6);
    let chinese = n % 4 == 3;
    let prompt = if chinese {
        format!(
            "{place_zh}的{subject_zh}，{style_zh}，{light_zh}，{lens}，{palette_zh}，细节丰富，高清"
        )
    } else {
        format!(
            "{subject_en} {place_en}, {style_en}, {light_en}, {lens}, {palette_en}, highly detailed"
        )
    };
    let aspect = pick(ASPECTS, seed, 7);
    let (width, height) = aspect.dimensions(super::images::RENDER_LONG_EDGE);
    let (handle, name) = pick(ARTISTS, seed, 8);
    let likes = i64::try_from((seed >> 7) % 5_000).unwrap_or(0)
        * i64::try_from((seed >> 40) % 3 + 1).unwrap_or(1);
    let age_ms = i64::try_from((seed >> 11) % (180 * 86_400_000)).unwrap_or(0);
    GalleryItemInput {
        source: DEMO_SOURCE.to_owned(),
        source_post_id: format!("demo-{n}"),
        source_url: None,
        prompt,
        model: "local".to_owned(),
        aspect: aspect.as_str().to_owned(),
        categories: vec![category.to_owned()],
        author_handle: handle.to_owned(),
        author_name: name.to_owned(),
        author_url: None,
        likes,
        views: likes * 37 + 100,
        posted_at: now - age_ms,
        images: vec![GalleryImageInput {
            width: i64::from(width),
            height: i64::from(height),
            remote_url: None,
        }],
    }
}

impl App {
    /// Queues the seeding of the demo gallery once per instance (per vocabulary version).
    /// Returns the number of jobs queued (0 when already seeded).
    ///
    /// # Errors
    /// Database errors.
    pub async fn queue_demo_seed(&self) -> Result<u32, AppError> {
        const KEY: &str = "demo_seed_version";
        if self.store().meta(KEY).await?.as_deref() == Some(DEMO_VERSION) {
            return Ok(0);
        }
        let mut jobs = 0;
        for (n, from) in (0..DEMO_ITEMS).step_by(BATCH as usize).enumerate() {
            let job = SeedJob {
                from,
                to: (from + BATCH).min(DEMO_ITEMS),
            };
            // Staggered, so thumbnails of drawn items and visitors' requests are served in between.
            let delay = SEED_STAGGER * u32::try_from(n).unwrap_or(u32::MAX);
            self.queue()
                .enqueue(
                    JobKind::DemoSeed.name(),
                    &job,
                    atelier_jobs::EnqueueOptions {
                        dedup_key: Some(format!("demo:{from}")),
                        delay: Some(delay),
                        ..Default::default()
                    },
                )
                .await?;
            jobs += 1;
        }
        self.store().set_meta(KEY, DEMO_VERSION).await?;
        Ok(jobs)
    }

    /// Adds demo items `job.from..job.to` and draws their images (the job behind
    /// [`JobKind::DemoSeed`]). Items already drawn are left as they are.
    ///
    /// # Errors
    /// Database, storage or render errors.
    pub async fn seed_demo_batch(&self, job: SeedJob) -> Result<(), AppError> {
        for n in job.from..job.to {
            let input = demo_item(n, self.now_ms());
            let id = match self
                .store()
                .upsert_gallery_item(&input, self.now_ms())
                .await?
            {
                UpsertOutcome::Created(id) | UpsertOutcome::Updated(id) => id,
                UpsertOutcome::Tombstoned => continue,
            };
            let item = self.store().gallery_item(&id).await?;
            if !item
                .images
                .iter()
                .all(atelier_db::gallery::GalleryImageRow::is_ready)
            {
                self.render_gallery_image(&item, 0).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn demo_prompts_are_varied_stable_and_bilingual() {
        let prompts: Vec<String> = (0..DEMO_ITEMS).map(|n| demo_item(n, 0).prompt).collect();
        let unique: HashSet<&String> = prompts.iter().collect();
        assert!(
            unique.len() > DEMO_ITEMS as usize * 9 / 10,
            "only {} distinct prompts",
            unique.len()
        );
        assert_eq!(demo_item(7, 0), demo_item(7, 0));
        let chinese = prompts
            .iter()
            .filter(|p| p.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
            .count();
        assert_eq!(chinese, DEMO_ITEMS as usize / 4);
        assert!(demo_item(3, 0).prompt.contains('，'));
    }
}
