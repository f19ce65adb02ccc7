//! `dfq-run --eval` end to end: a tiny classifier on a few images written here,
//! whose scores are known by hand.

use std::path::Path;
use std::process::{Command, Output};

use image::{GrayImage, Luma, Rgb, RgbImage};

/// Class scores = W · (mean R, G, B) of the normalized 8x8 crop: classes 0–2
/// are red, green, blue; 3 is half red half green; 4 is dark; 5 is always 0.
/// With (x − 127)/128 a full channel is 1.0 and an empty one −0.9921875.
fn classifier(batch: &str, zero_blue: bool) -> String {
    let blue = if zero_blue { "0.0" } else { "1.0" };
    format!(
        "func.func @main(%x: tensor<{batch}x3x8x8xf32> {{dfq.range = [-0.9921875, 1.0]}}) -> tensor<{batch}x6xf32> {{
  %p = \"nn.global_avg_pool\"(%x) : (tensor<{batch}x3x8x8xf32>) -> tensor<{batch}x3x1x1xf32>
  %f = \"nn.flatten\"(%p) {{axis = 1 : i64}} : (tensor<{batch}x3x1x1xf32>) -> tensor<{batch}x3xf32>
  %w = arith.constant dense<[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, {blue}],
                            [0.5, 0.5, 0.0], [-0.5, -0.5, -0.5], [0.0, 0.0, 0.0]]> : tensor<6x3xf32>
  %b = arith.constant dense<0.0> : tensor<6xf32>
  %y = \"nn.linear\"(%f, %w, %b) : (tensor<{batch}x3xf32>, tensor<6x3xf32>, tensor<6xf32>) -> tensor<{batch}x6xf32>
  return %y : tensor<{batch}x6xf32>
}}
"
    )
}

/// The images, and why each counts as it does with the model above:
/// - red (JPEG), class 0: top-1;
/// - green, class 3: scores rank 1, 4, 3, 5, 0: top-5 only;
/// - blue, class 3: ranks 2, 4, 5, 0, 1: neither;
/// - black (greyscale), class 4: top-1;
/// - broken, not an image: skipped.
///
/// The reference (blue weight 0) tops 4 instead of 2 on blue, agreeing on 3 of 4.
const LABELS: &str = "file,synset,class_index,name
red.jpg,n0,0,red
green.png,n1,3,green
blue.png,n2,3,blue
black.png,n3,4,black
broken.png,n4,0,broken
";

fn write_images(dir: &Path) {
    let solid = |rgb: [u8; 3]| RgbImage::from_pixel(12, 9, Rgb(rgb));
    solid([255, 0, 0]).save(dir.join("red.jpg")).unwrap();
    solid([0, 255, 0]).save(dir.join("green.png")).unwrap();
    solid([0, 0, 255]).save(dir.join("blue.png")).unwrap();
    GrayImage::from_pixel(7, 10, Luma([0])).save(dir.join("black.png")).unwrap();
    std::fs::write(dir.join("broken.png"), b"not an image").unwrap();
    std::fs::write(dir.join("labels.csv"), LABELS).unwrap();
}

/// A temporary directory with the images, the model (batch `batch`) and the reference.
fn setup(batch: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_images(dir.path());
    std::fs::write(dir.path().join("model.mlir"), classifier(batch, false)).unwrap();
    std::fs::write(dir.path().join("reference.mlir"), classifier(batch, true)).unwrap();
    dir
}

fn dfq_run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfq-run")).args(args).current_dir(dir).output().expect("dfq-run starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_contains(haystack: &str, needles: &[&str]) {
    for needle in needles {
        assert!(haystack.contains(needle), "'{needle}' not in:\n{haystack}");
    }
}

const COUNTS: [&str; 4] = [
    "images       4 evaluated, 1 skipped",
    "top-1        50.0%  (2 of 4)",
    "top-5        75.0%  (3 of 4)",
    "agreement    75.0%  (3 of 4 with the reference's top-1)",
];

#[test]
fn counts_top1_top5_and_agreement() {
    let dir = setup("1");
    let out = dfq_run(dir.path(), &["model.mlir", "--eval", ".", "--reference", "reference.mlir", "--json", "r.json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_contains(&stdout, &COUNTS);
    assert_contains(&stdout, &["model        model.mlir", "preprocess   efficientnet (from the input's dfq.range)"]);
    // The bad file is named in a warning; the progress bar is hidden off a terminal.
    let stderr = text(&out.stderr);
    assert_contains(&stderr, &["dfq-run: warning: skipping './broken.png': "]);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let json = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    assert_contains(
        &json,
        &[
            "\"evaluated\": 4",
            "\"skipped_files\": [\"broken.png\"]",
            "\"top1\": 0.5",
            "\"top5\": 0.75",
            "\"agreement\": 0.75",
            "\"reference\": \"reference.mlir\"",
        ],
    );
}

#[test]
fn a_fixed_batch_is_filled_and_the_last_one_padded() {
    // Batches of 3: red, green, blue; then black and a padding image (broken is skipped).
    let dir = setup("3");
    let out = dfq_run(dir.path(), &["model.mlir", "--eval", ".", "--reference", "reference.mlir", "--batch", "3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_contains(&text(&out.stdout), &COUNTS);

    let out = dfq_run(dir.path(), &["model.mlir", "--eval", ".", "--batch", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(&text(&out.stderr), &["--batch 2 does not match '@main', whose signature fixes the batch at 3"]);

    std::fs::write(dir.path().join("single.mlir"), classifier("1", true)).unwrap();
    let out = dfq_run(dir.path(), &["model.mlir", "--eval", ".", "--reference", "single.mlir"]);
    assert_eq!(out.status.code(), Some(1));
    let mismatch = "the reference '@main' (tensor<1x3x8x8xf32> -> tensor<1x6xf32>) must take the model's input \
                    and give its classes: tensor<3x3x8x8xf32> -> tensor<3x6xf32>";
    assert_contains(&text(&out.stderr), &[mismatch]);
}

#[test]
fn a_dynamic_batch_takes_its_size_from_the_flag() {
    let dir = setup("?");
    for batch in ["2", "4"] {
        let out = dfq_run(dir.path(), &["model.mlir", "--eval", ".", "--reference", "reference.mlir", "--batch", batch]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_contains(&text(&out.stdout), &COUNTS);
    }
}

#[test]
fn limit_spreads_over_the_labels() {
    // 2 of 5 rows, every 2.5th: red (top-1) and blue (neither).
    let dir = setup("1");
    let out = dfq_run(dir.path(), &["model.mlir", "--eval", ".", "--limit", "2", "--quiet"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_contains(&text(&out.stdout), &["images       2 evaluated, 0 skipped", "top-1        50.0%  (1 of 2)"]);
}

#[test]
fn json_on_stdout_moves_the_summary_to_stderr() {
    let dir = setup("1");
    let out = dfq_run(dir.path(), &["model.mlir", "--eval", ".", "--json", "-"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("{\n") && text(&out.stdout).contains("\"top5_correct\": 3"));
    assert_contains(&text(&out.stderr), &["top-5        75.0%  (3 of 4)"]);
}

#[test]
fn quantized_models_take_the_same_path() {
    let dir = setup("1");
    for (flags, name) in [(&["--quantize"][..], "qdq.mlir"), (&["--quantize", "--lower-int8"], "int8.mlir")] {
        let opt = Command::new(env!("CARGO_BIN_EXE_dfq-opt"))
            .args(flags)
            .args(["model.mlir", "-o", name])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(opt.status.success(), "{}", text(&opt.stderr));
        let out = dfq_run(dir.path(), &[name, "--eval", ".", "--reference", "model.mlir"]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        // Every top class wins by 0.5 or more: 8-bit quantization keeps them all.
        assert_contains(&text(&out.stdout), &["agreement    100.0%  (4 of 4", "top-1        50.0%  (2 of 4)"]);
    }
}

#[test]
fn every_engine_counts_the_same() {
    let dir = setup("1");
    let opt = Command::new(env!("CARGO_BIN_EXE_dfq-opt"))
        .args(["--quantize", "model.mlir", "-o", "qdq.mlir"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(opt.status.success(), "{}", text(&opt.stderr));
    let engines: [(&[&str], &str); 3] = [
        (&[], "engine       jit ("),
        (&["--threads", "2"], "engine       jit ("),
        (&["--interp"], "engine       interp\n"),
    ];
    for model in ["model.mlir", "qdq.mlir"] {
        let mut jsons = Vec::new();
        for (flags, engine) in engines {
            let mut args = vec![model, "--eval", ".", "--reference", "reference.mlir", "--json", "-", "-q"];
            args.extend(flags);
            let out = dfq_run(dir.path(), &args);
            assert!(out.status.success(), "{model} {flags:?}: {}", text(&out.stderr));
            // The summary is on stderr (the JSON took stdout), after the skipped image's warning.
            let stderr = text(&out.stderr);
            assert_contains(&stderr, &COUNTS);
            assert_contains(&stderr, &[engine]);
            assert!(!stderr.contains("JIT cannot"), "{stderr}");
            let json = text(&out.stdout);
            let counts: Vec<&str> = json.lines().filter(|l| l.contains("_correct") || l.contains("agreements")).collect();
            jsons.push(counts.join("\n"));
        }
        assert!(jsons.windows(2).all(|w| w[0] == w[1]), "{model}: {jsons:?}");
    }
    // With --threads the JIT gives each image that many threads.
    let out = dfq_run(dir.path(), &["model.mlir", "--eval", ".", "--threads", "2"]);
    assert_contains(&text(&out.stdout), &["engine       jit (", ", 2 threads)"]);
    let out = dfq_run(dir.path(), &["model.mlir", "--eval", "."]);
    assert_contains(&text(&out.stdout), &[", 1 thread)"]);
}

#[test]
fn nothing_decodable_is_an_error() {
    let dir = setup("1");
    std::fs::write(dir.path().join("labels.csv"), "file,class_index\nbroken.png,0\nmissing.png,1\n").unwrap();
    let out = dfq_run(dir.path(), &["model.mlir", "--eval", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_contains(&stderr, &["skipping './missing.png'", "dfq-run: error: none of the 2 images could be decoded"]);
}

#[test]
fn labels_outside_the_model_s_classes_are_refused() {
    let dir = setup("1");
    std::fs::write(dir.path().join("labels.csv"), "file,class_index\nred.jpg,6\n").unwrap();
    let out = dfq_run(dir.path(), &["model.mlir", "--eval", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &text(&out.stderr),
        &["labels.csv gives 'red.jpg' class_index 6, but the model scores 6 classes (0 to 5)"],
    );
}

#[test]
fn imagenet_normalization_changes_the_scores() {
    // Mean/std on [0, 1] spreads channels to about [-2.1, 2.6]: on blue, class 3
    // (half red, half green: -2.08) now beats class 0 (-2.12) into 5th place.
    let dir = setup("1");
    let out = dfq_run(dir.path(), &["model.mlir", "--eval", ".", "--preprocess", "imagenet"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let counts = ["preprocess   imagenet\n", "top-1        50.0%  (2 of 4)", "top-5        100.0%  (4 of 4)"];
    assert_contains(&stdout, &counts);
    let warning = "warning: --preprocess imagenet given, but the input's dfq.range is efficientnet's";
    assert_contains(&text(&out.stderr), &[warning]);
}
