//! Braintrust's exported span string (`span.export()`), versions 1 to 4.
