//! The span context: what a span hands to its children and what crosses service
//! boundaries (trace id, span id, flags, tracestate, Braintrust parent).
