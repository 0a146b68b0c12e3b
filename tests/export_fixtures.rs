//! Request bodies the JS exporter tests send through the real `fetch` path: the
//! sample requests that cover every field, encoded by the real encoders, kept in
//! `tests/fixtures/export/NAME.{json,pb}`. This test fails when a committed fixture
//! differs from what the encoders produce now; `SPANWIRE_UPDATE_FIXTURES=1`
//! rewrites them.

#[path = "otlp/samples.rs"]
mod samples;

use std::path::PathBuf;

use spanwire::otlp::{encode_json, encode_protobuf};

const NAMES: [&str; 3] = ["full", "resource_scope", "kinds"];

#[test]
fn exporter_fixtures_are_the_encoders_output() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export");
    let update = std::env::var_os("SPANWIRE_UPDATE_FIXTURES").is_some();
    let mut stale = Vec::new();
    for sample in samples::samples().into_iter().filter(|s| NAMES.contains(&s.name)) {
        let mut json = Vec::new();
        encode_json(&sample.resource, &sample.scope, &sample.spans, &mut json);
        let mut pb = Vec::new();
        encode_protobuf(&sample.resource, &sample.scope, &sample.spans, &mut pb);
        for (ext, body) in [("json", json), ("pb", pb)] {
            let path = dir.join(format!("{}.{ext}", sample.name));
            if update {
                std::fs::create_dir_all(&dir).expect("create tests/fixtures/export");
                std::fs::write(&path, &body).expect("write a fixture");
            } else if std::fs::read(&path).ok().as_deref() != Some(&body[..]) {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale fixtures (SPANWIRE_UPDATE_FIXTURES=1 cargo test --test export_fixtures): {stale:?}"
    );
}
