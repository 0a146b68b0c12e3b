//! A small protobuf wire-format reader that checks a body against the OTLP trace
//! schema: every field number known, with its declared wire type, every length in
//! bounds, every nested message well-formed. Written from the .proto files, apart
//! from the encoder, so the two can catch each other's mistakes.
#![allow(dead_code)]

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    Request,
    ResourceSpans,
    Resource,
    ScopeSpans,
    Scope,
    Span,
    Event,
    Link,
    Status,
    KeyValue,
    AnyValue,
    ArrayValue,
    KeyValueList,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Varint,
    Fixed64,
    Fixed32,
    Bytes,
    Message(Msg),
}

fn field(msg: Msg, number: u64) -> Option<Kind> {
    use Kind::*;
    use Msg::*;
    Some(match (msg, number) {
        (Request, 1) => Message(ResourceSpans),
        (ResourceSpans, 1) => Message(Resource),
        (ResourceSpans, 2) => Message(ScopeSpans),
        (ResourceSpans, 3) => Bytes,
        (Resource, 1) => Message(KeyValue),
        (Resource, 2) => Varint,
        (ScopeSpans, 1) => Message(Scope),
        (ScopeSpans, 2) => Message(Span),
        (ScopeSpans, 3) => Bytes,
        (Scope, 1) | (Scope, 2) => Bytes,
        (Scope, 3) => Message(KeyValue),
        (Scope, 4) => Varint,
        (Span, 1..=5) => Bytes,
        (Span, 6) => Varint,
        (Span, 7) | (Span, 8) => Fixed64,
        (Span, 9) => Message(KeyValue),
        (Span, 10) | (Span, 12) | (Span, 14) => Varint,
        (Span, 11) => Message(Event),
        (Span, 13) => Message(Link),
        (Span, 15) => Message(Status),
        (Span, 16) => Fixed32,
        (Event, 1) => Fixed64,
        (Event, 2) => Bytes,
        (Event, 3) => Message(KeyValue),
        (Event, 4) => Varint,
        (Link, 1..=3) => Bytes,
        (Link, 4) => Message(KeyValue),
        (Link, 5) => Varint,
        (Link, 6) => Fixed32,
        (Status, 2) => Bytes,
        (Status, 3) => Varint,
        (KeyValue, 1) => Bytes,
        (KeyValue, 2) => Message(AnyValue),
        (AnyValue, 1) | (AnyValue, 7) => Bytes,
        (AnyValue, 2) | (AnyValue, 3) => Varint,
        (AnyValue, 4) => Fixed64,
        (AnyValue, 5) => Message(ArrayValue),
        (AnyValue, 6) => Message(KeyValueList),
        (ArrayValue, 1) => Message(AnyValue),
        (KeyValueList, 1) => Message(KeyValue),
        _ => return None,
    })
}

/// Counts of what a walk saw, to compare with what was encoded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Seen {
    pub spans: usize,
    pub events: usize,
    pub links: usize,
    pub key_values: usize,
}

fn read_varint(buf: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        let byte = *buf.get(*pos).ok_or("varint runs past the end")?;
        *pos += 1;
        if shift == 63 && byte > 1 {
            return Err("varint overflows 64 bits".into());
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint longer than 10 bytes".into())
}

/// Walks `buf` as message `msg`; `Err` says what is wrong and where.
pub fn walk(buf: &[u8], msg: Msg, seen: &mut Seen) -> Result<(), String> {
    let mut pos = 0;
    let mut last_field = 0;
    while pos < buf.len() {
        let at = pos;
        let key = read_varint(buf, &mut pos)?;
        let number = key >> 3;
        let wire = key & 7;
        let kind = field(msg, number).ok_or_else(|| format!("{msg:?}: unknown field {number} at byte {at}"))?;
        if number < last_field && !matches!(kind, Kind::Message(_)) {
            return Err(format!("{msg:?}: field {number} after field {last_field}"));
        }
        last_field = number;
        let expected_wire = match kind {
            Kind::Varint => 0,
            Kind::Fixed64 => 1,
            Kind::Bytes | Kind::Message(_) => 2,
            Kind::Fixed32 => 5,
        };
        if wire != expected_wire {
            return Err(format!("{msg:?}.{number}: wire type {wire}, expected {expected_wire}"));
        }
        match kind {
            Kind::Varint => {
                read_varint(buf, &mut pos)?;
            }
            Kind::Fixed64 => pos += 8,
            Kind::Fixed32 => pos += 4,
            Kind::Bytes | Kind::Message(_) => {
                let len = usize::try_from(read_varint(buf, &mut pos)?).map_err(|e| e.to_string())?;
                let body =
                    buf.get(pos..pos + len).ok_or_else(|| format!("{msg:?}.{number}: length {len} past the end"))?;
                match kind {
                    Kind::Message(child) => {
                        match child {
                            Msg::Span => seen.spans += 1,
                            Msg::Event => seen.events += 1,
                            Msg::Link => seen.links += 1,
                            Msg::KeyValue => seen.key_values += 1,
                            _ => {}
                        }
                        walk(body, child, seen)?;
                    }
                    _ => {
                        if matches!((msg, number), (Msg::Span, 1) | (Msg::Link, 1)) && len != 16 {
                            return Err(format!("{msg:?}: trace id of {len} bytes"));
                        }
                        if matches!((msg, number), (Msg::Span, 2) | (Msg::Span, 4) | (Msg::Link, 2)) && len != 8 {
                            return Err(format!("{msg:?}: span id of {len} bytes"));
                        }
                        let is_string =
                            !matches!((msg, number), (Msg::Span, 1 | 2 | 4) | (Msg::Link, 1 | 2) | (Msg::AnyValue, 7));
                        if is_string && std::str::from_utf8(body).is_err() {
                            return Err(format!("{msg:?}.{number}: string is not UTF-8"));
                        }
                    }
                }
                pos += len;
            }
        }
    }
    if pos != buf.len() {
        return Err(format!("{msg:?}: fixed-width field runs past the end"));
    }
    Ok(())
}
