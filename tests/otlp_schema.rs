//! Every sample request body, in both encodings, checked by the official OTLP schema
//! (PyPI `opentelemetry-proto` + `protobuf`) through `tests/otlp/check_otlp.py`.
//!
//! Python: `$SPANWIRE_PYTHON` when set (CI sets it, so there this test can never
//! skip), else `python3`. Only when `SPANWIRE_PYTHON` is unset *and* `python3`
//! cannot import `opentelemetry.proto` does the test skip, loudly.
//! With `SPANWIRE_OTLP_OUT=<dir>` the bodies are also left in that directory.

#[path = "otlp/samples.rs"]
mod samples;

use std::path::{Path, PathBuf};
use std::process::Command;

use spanwire::otlp::{encode_json, encode_protobuf};

fn write_bodies(dir: &Path) {
    std::fs::create_dir_all(dir).expect("create the body directory");
    let mut buf = Vec::new();
    for sample in samples::samples() {
        buf.clear();
        encode_json(&sample.resource, &sample.scope, &sample.spans, &mut buf);
        std::fs::write(dir.join(format!("{}.json", sample.name)), &buf).expect("write a JSON body");
        buf.clear();
        encode_protobuf(&sample.resource, &sample.scope, &sample.spans, &mut buf);
        std::fs::write(dir.join(format!("{}.pb", sample.name)), &buf).expect("write a protobuf body");
    }
}

fn scratch_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    std::env::temp_dir().join(format!("spanwire-otlp-{}-{nanos}", std::process::id()))
}

#[test]
fn bodies_match_the_official_otlp_schema() {
    let configured = std::env::var_os("SPANWIRE_PYTHON");
    let python = configured.clone().unwrap_or_else(|| "python3".into());
    if configured.is_none() {
        let importable = Command::new(&python)
            .args(["-c", "import opentelemetry.proto, google.protobuf"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !importable {
            eprintln!(
                "\n*** SKIPPED otlp_schema: SPANWIRE_PYTHON is unset and python3 cannot import \
                 opentelemetry.proto. Install tests/otlp/requirements.txt into a venv and set \
                 SPANWIRE_PYTHON=<venv>/bin/python to run the OTLP schema check. ***\n"
            );
            return;
        }
    }

    if let Some(out) = std::env::var_os("SPANWIRE_OTLP_OUT") {
        write_bodies(Path::new(&out));
    }
    let dir = scratch_dir();
    write_bodies(&dir);
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/otlp/check_otlp.py");
    let output = Command::new(&python).arg(&checker).arg(&dir).output();
    let _ = std::fs::remove_dir_all(&dir);
    let output = output.unwrap_or_else(|err| panic!("could not run {python:?} {}: {err}", checker.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "the OTLP schema check failed ({}):\n{stdout}\n{stderr}", output.status);
}
