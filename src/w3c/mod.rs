//! W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage.
