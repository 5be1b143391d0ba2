//! The layers point down only: `log` ← `cluster` ← `clients`, `protocol` ← `lab` ← `attach` ←
//! `text` ← `scenario` ← `ui` ← `main`. Every `crate::…` path in a folder's code (doc comments and `//` comments aside)
//! must name its own layer or one below it; a test fails the moment someone adds an upward one.

use std::collections::BTreeSet;
use std::path::Path;

/// Each top-level module with the modules it may use (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("log", &[]),
    ("cluster", &["log"]),
    ("clients", &["log", "cluster"]),
    ("protocol", &["log", "cluster"]),
    ("lab", &["log", "cluster", "clients", "protocol"]),
    ("attach", &["log", "cluster", "clients", "protocol", "lab"]),
    (
        "text",
        &["log", "cluster", "clients", "protocol", "lab", "attach"],
    ),
    (
        "scenario",
        &[
            "log", "cluster", "clients", "protocol", "lab", "attach", "text",
        ],
    ),
    (
        "ui",
        &[
            "log", "cluster", "clients", "protocol", "lab", "attach", "text", "scenario", "signals",
        ],
    ),
    ("data_dir", &[]),
    ("signals", &[]),
];

/// The top-level modules a piece of Rust source names as `crate::X`, ignoring comments.
fn crate_paths(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().next_back();
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `kafka_lab::` or `some_crate::` do not count, only a path that starts at `crate`.
            if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

/// Every upward reference in `layer`'s source files, as `file: crate::X`.
fn violations_in(layer: &str, allowed: &[&str], files: &[(String, String)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (path, source) in files {
        for name in crate_paths(source) {
            if name != layer && !allowed.contains(&name.as_str()) {
                bad.push(format!(
                    "{path}: crate::{name} ({layer} may use {allowed:?})"
                ));
            }
        }
    }
    bad
}

fn rust_files(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).expect("readable source");
            out.push((p.display().to_string(), text));
        }
    }
}

fn layer_files(layer: &str) -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join(layer), &mut files);
    let single = src.join(format!("{layer}.rs"));
    if single.exists() {
        let text = std::fs::read_to_string(&single).expect("readable source");
        files.push((single.display().to_string(), text));
    }
    files
}

#[test]
fn every_layer_imports_only_layers_below_it() {
    let mut bad = Vec::new();
    for (layer, allowed) in ALLOWED {
        let files = layer_files(layer);
        assert!(!files.is_empty(), "no source found for layer {layer}");
        bad.extend(violations_in(layer, allowed, &files));
    }
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("src/lib.rs");
    for line in lib.lines() {
        if let Some(name) = line
            .strip_prefix("pub mod ")
            .and_then(|l| l.strip_suffix(';'))
        {
            assert!(
                ALLOWED.iter().any(|(l, _)| *l == name),
                "module {name} is not placed in tests/layers.rs"
            );
        }
    }
}

#[test]
fn the_checker_catches_an_upward_import_and_ignores_comments() {
    let files = vec![(
        "cluster/x.rs".to_string(),
        "use crate::log::PartitionLog;\n// see crate::ui\nuse crate::clients::producer::SimProducer;\nlet a = kafka_lab::ui::x;\n"
            .to_string(),
    )];
    let bad = violations_in("cluster", &["log"], &files);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("crate::clients"));
}
