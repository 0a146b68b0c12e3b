//! A recorded span: the data a span holds from start to end, ready for export.
