//! OTLP/HTTP trace request bodies, in JSON and in protobuf.
