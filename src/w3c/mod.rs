//! W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage.
//!
//! One module per header, each a set of total functions over `&str`: bad input is an
//! error or "no value", never a panic.
//!
//! - [`traceparent`]: `00-<trace-id>-<parent-id>-<flags>`, parse and format.
//! - [`tracestate`]: validated per Level 2, then carried unchanged.
//! - [`baggage`]: limits, the `braintrust.parent` member, relay on inject.
//! - [`percent`]: the percent codec of the `braintrust.parent` value.

pub mod baggage;
pub mod percent;
pub mod traceparent;
pub mod tracestate;

pub use baggage::{BaggageMembers, BaggageUpdate, BraintrustParent, InboundBaggage};
pub use traceparent::{TraceFlags, Traceparent, TraceparentBuf, TraceparentError};
pub use tracestate::{TraceState, TraceStateError};

/// Header names, lowercase as W3C recommends.
pub const TRACEPARENT_HEADER: &str = "traceparent";
pub const TRACESTATE_HEADER: &str = "tracestate";
pub const BAGGAGE_HEADER: &str = "baggage";
