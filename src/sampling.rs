//! Sampling decisions: parent-based, and a root sample rate decided from the trace id's random bits.
