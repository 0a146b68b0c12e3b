//! Helpers shared by the native and the WebAssembly test suites.

#![allow(dead_code)]

pub mod id_stats;
pub mod rng;
