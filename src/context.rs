//! The span context: what a span hands to its children and what crosses service
//! boundaries.
//!
//! ```text
//! inbound                                   SpanContext                 outbound (inject)
//! traceparent: 00-<trace>-<parent>-<flags>  trace_id, span_id, flags    traceparent: 00-<trace>-<span>-<flags & 03>
//! tracestate:  <validated list>             trace_state                 tracestate:  the same text
//! baggage:     braintrust.parent=…, k=v     braintrust_parent, baggage  baggage:     k=v,braintrust.parent=…
//! ```
//!
//! - [`extract`] reads the three inbound headers. Without a valid `traceparent` it returns
//!   `None` and the `tracestate` and `baggage` are ignored too: the caller starts a fresh
//!   root ([`SpanContext::root`]).
//! - [`SpanContext::child`] keeps the trace id, flags (sampled and random bits), trace
//!   state, Braintrust parent and relayed baggage, with a new span id.
//! - [`SpanContext::inject`] gives the outbound header values, merging the carrier's
//!   existing `baggage` ([`crate::w3c::baggage::relay`]).
//!
//! Nothing here allocates on the hot path beyond the outbound `baggage` string: the trace
//! state and relayed baggage are shared (`Arc<str>`) between a span and its children,
//! and the `traceparent` is formatted into a fixed 55-byte buffer.

use crate::ids::{SpanId, TraceId};
use crate::random::RandomError;
use crate::w3c::baggage::{self, BaggageMembers, BaggageUpdate, BraintrustParent};
use crate::w3c::{TraceFlags, TraceState, Traceparent, TraceparentBuf};

/// The context of one span, as its children and remote callees see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanContext {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    /// Only the known bits (sampled, random) are kept.
    pub flags: TraceFlags,
    /// The inbound `tracestate`, forwarded unchanged to every span of the trace.
    pub trace_state: Option<TraceState>,
    /// Where the trace is logged in Braintrust, when known.
    pub braintrust_parent: Option<BraintrustParent>,
    /// The inbound baggage members other than `braintrust.parent`, relayed on inject.
    pub baggage: BaggageMembers,
    /// True for a context read from another process by [`extract`].
    pub is_remote: bool,
}

/// The header values to write into an outbound carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected<'a> {
    /// Always written (lowercase header name `traceparent`).
    pub traceparent: TraceparentBuf,
    /// Written when the trace came with a valid `tracestate`; otherwise leave the
    /// carrier's `tracestate` as it is.
    pub tracestate: Option<&'a str>,
    /// What to do with the carrier's `baggage` header.
    pub baggage: BaggageUpdate,
}

/// Reads an inbound context from the three header values (`tracestate` may be several
/// header lines). `None` when `traceparent` is missing or invalid.
///
/// ```
/// use spanwire::context::extract;
/// let ctx = extract(
///     Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
///     &["congo=t61rcWkgMzE"],
///     Some("braintrust.parent=project_id%3Aabc"),
/// )
/// .unwrap();
/// assert_eq!(ctx.braintrust_parent.unwrap().to_string(), "project_id:abc");
/// assert_eq!(ctx.trace_state.unwrap().as_str(), "congo=t61rcWkgMzE");
/// assert!(extract(Some("garbage"), &[], Some("braintrust.parent=project_id%3Aabc")).is_none());
/// ```
pub fn extract(traceparent: Option<&str>, tracestate: &[&str], baggage: Option<&str>) -> Option<SpanContext> {
    extract_parts(traceparent?, TraceState::parse(tracestate), baggage)
}

/// [`extract`] with the `tracestate` already read (for a span begun from an extracted
/// context, whose tracestate was validated then); the `traceparent` and `baggage` are
/// parsed here.
pub fn extract_parts(traceparent: &str, trace_state: Option<TraceState>, baggage: Option<&str>) -> Option<SpanContext> {
    let parent = Traceparent::parse(traceparent).ok()?;
    let inbound = baggage.map(baggage::parse).unwrap_or_default();
    Some(SpanContext {
        trace_id: parent.trace_id,
        span_id: parent.parent_id,
        flags: parent.known_flags(),
        trace_state,
        braintrust_parent: inbound.braintrust_parent,
        baggage: inbound.others,
        is_remote: true,
    })
}

impl SpanContext {
    /// A new trace with these ids: random bit set (our trace ids are random), sampled bit
    /// per the sampling decision; no trace state, baggage or Braintrust parent.
    pub fn root_with_ids(trace_id: TraceId, span_id: SpanId, sampled: bool) -> Self {
        SpanContext {
            trace_id,
            span_id,
            flags: TraceFlags::RANDOM.with_sampled(sampled),
            trace_state: None,
            braintrust_parent: None,
            baggage: BaggageMembers::EMPTY,
            is_remote: false,
        }
    }

    /// A new trace with fresh random ids (see [`Self::root_with_ids`]).
    pub fn root(sampled: bool) -> Result<Self, RandomError> {
        Ok(Self::root_with_ids(TraceId::random()?, SpanId::random()?, sampled))
    }

    /// A child with this span id: same trace, flags, trace state, Braintrust parent and
    /// baggage; local.
    pub fn child_with_span_id(&self, span_id: SpanId) -> Self {
        SpanContext { span_id, is_remote: false, ..self.clone() }
    }

    /// A child with a fresh random span id (see [`Self::child_with_span_id`]).
    pub fn child(&self) -> Result<Self, RandomError> {
        Ok(self.child_with_span_id(SpanId::random()?))
    }

    /// This context with the Braintrust parent set (or cleared).
    pub fn with_braintrust_parent(mut self, parent: Option<BraintrustParent>) -> Self {
        self.braintrust_parent = parent;
        self
    }

    /// This context's `traceparent`: version 00, known flag bits only.
    pub fn traceparent(&self) -> TraceparentBuf {
        Traceparent::new(self.trace_id, self.span_id, self.flags).to_buf()
    }

    /// The headers to write for a call made from this span, given the carrier's existing
    /// `baggage` value (case-insensitive lookup and array joining are the caller's job).
    ///
    /// ```
    /// use spanwire::context::extract;
    /// use spanwire::w3c::BaggageUpdate;
    /// let ctx = extract(Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), &[], Some("k=v"))
    ///     .unwrap()
    ///     .child_with_span_id("c0ffee00c0ffee01".parse().unwrap());
    /// let out = ctx.inject(Some("braintrust.parent=project_id%3Astale"));
    /// assert_eq!(out.traceparent.as_str(), "00-0af7651916cd43dd8448eb211c80319c-c0ffee00c0ffee01-01");
    /// assert_eq!(out.tracestate, None);
    /// assert_eq!(out.baggage, BaggageUpdate::Set("k=v".into()));
    /// ```
    pub fn inject(&self, carrier_baggage: Option<&str>) -> Injected<'_> {
        Injected {
            traceparent: self.traceparent(),
            tracestate: self.trace_state.as_ref().map(TraceState::as_str),
            baggage: baggage::relay(carrier_baggage, &self.baggage, self.braintrust_parent.as_ref()),
        }
    }
}
