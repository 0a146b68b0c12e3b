//! What the standard library's prelude gives every module, from `alloc`: the wasm32
//! build is `no_std` (see `trap.rs`), and natively these are the same items std
//! re-exports. Modules that allocate start with `use crate::prelude::*;`.

pub(crate) use alloc::borrow::ToOwned;
pub(crate) use alloc::boxed::Box;
pub(crate) use alloc::string::String;
pub(crate) use alloc::vec;
pub(crate) use alloc::vec::Vec;
