//! Live spans between start and end, and where ended spans go.
