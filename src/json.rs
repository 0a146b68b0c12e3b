//! JSON kept the way JavaScript keeps it: the crate's one JSON implementation.
//!
//! Slugs, Braintrust `log` fields and span attributes all go through here. A slug's
//! JSON tail must be byte-identical to `JSON.stringify` in the Braintrust JS SDK, so
//! objects keep their keys in insertion order. Three JS behaviours are mirrored:
//!
//! - every number is an IEEE double, written as `Number.prototype.toString` writes it
//!   (`1e+21`, `1.5e-7`, `100`; non-finite becomes `null`);
//! - strings escape only `"`, `\` and control characters (`\b \t \n \f \r`, else
//!   `\u00xx`); everything else, including non-ASCII, is written raw;
//! - a repeated key keeps its first position and takes its last value.
//!
//! The parser is total: it returns a [`JsonError`] with the byte offset for any bad
//! input, nests at most [`MAX_DEPTH`] levels and never panics. Lone surrogates
//! (`"\ud800"`), which `JSON.stringify` writes for a JS string that holds one and a
//! Rust `String` cannot hold, are read as U+FFFD, as JS's UTF-8 encoders write them.
//!
//! Numbers are written from the shortest round-trip digits of `zmij` (Schubfach), the
//! same digits `core::fmt` would give, without linking `core::fmt`'s float code into
//! the WebAssembly module.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::prelude::*;
use core::fmt;

use crate::message::{display_message, message, Message, QuotedChar};

/// How deeply arrays and objects may nest (the same limit serde_json uses).
pub const MAX_DEPTH: usize = 128;

/// A JSON value as JavaScript sees it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum JsonValue {
    #[default]
    Null,
    Bool(bool),
    /// Every JSON number is a double in JavaScript.
    Number(f64),
    String(String),
    Array(Vec<JsonValue>),
    Object(JsonObject),
}

/// A JSON object whose keys are in a JS object's order: array-index keys (`"0"` to
/// `"4294967294"`, written canonically) first in ascending order, then the others in
/// insertion order. `JSON.stringify` writes them in that order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonObject {
    entries: Vec<(String, JsonValue)>,
}

impl JsonObject {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key`. A new key goes last, or among the array indexes by its value; an
    /// existing key keeps its place and takes the new value (as assignment to a JS
    /// object does). Returns the old value. Linear in the number of keys; collect an
    /// iterator instead to build a large object.
    ///
    /// ```
    /// use spanwire::slug::JsonObject;
    /// use spanwire::json::JsonValue;
    /// let mut o = JsonObject::new();
    /// for key in ["b", "10", "a", "2", "02"] {
    ///     o.insert(key, JsonValue::Null);
    /// }
    /// let keys: Vec<&str> = o.iter().map(|(k, _)| k).collect();
    /// assert_eq!(keys, ["2", "10", "b", "a", "02"]);
    /// ```
    pub fn insert(&mut self, key: impl Into<String>, value: JsonValue) -> Option<JsonValue> {
        self.insert_owned(key.into(), value)
    }

    /// [`JsonObject::insert`], written once for every key type.
    fn insert_owned(&mut self, key: String, value: JsonValue) -> Option<JsonValue> {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => Some(core::mem::replace(slot, value)),
            None => {
                let at = match array_index(&key) {
                    Some(index) => {
                        self.entries.iter().take_while(|(k, _)| array_index(k).is_some_and(|i| i < index)).count()
                    }
                    None => self.entries.len(),
                };
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// Sets each entry of `from` in turn, as [`JsonObject::insert`] does, except that a
    /// key already here takes `combine(its value, the new one)` (Braintrust's log merge
    /// merges nested objects so). In O((n + m) log n), where inserting one by one would
    /// take O(n × m): a large `metadata` logged twice cost seconds that way.
    ///
    /// ```
    /// use spanwire::slug::JsonObject;
    /// use spanwire::json::JsonValue;
    /// let mut o = JsonObject::parse(r#"{"b":1,"a":2}"#).unwrap();
    /// let from = JsonObject::parse(r#"{"a":3,"5":4,"c":5}"#).unwrap();
    /// o.merge_from(from, &mut |old, new| *old = new);
    /// assert_eq!(o.to_json_string(), r#"{"5":4,"b":1,"a":3,"c":5}"#);
    /// ```
    pub fn merge_from(&mut self, from: JsonObject, combine: &mut dyn FnMut(&mut JsonValue, JsonValue)) {
        let entries = &mut self.entries;
        entries.extend(from.entries);
        let mut fate =
            keep_first_place_last_value(entries.len(), &|at| entries.get(at as usize).map_or("", |(k, _)| k));
        // Neither object repeats a key, so a repeat is one of ours (first) and one of
        // `from`'s (last): combined into ours, in its place.
        for (at, to) in fate.iter_mut().enumerate() {
            if *to != GONE && *to as usize != at {
                let new = entries.get_mut(*to as usize).map(|(_, v)| core::mem::take(v)).unwrap_or_default();
                if let Some((_, old)) = entries.get_mut(at) {
                    combine(old, new);
                }
                *to = at as u32;
            }
        }
        apply_fate(entries, &fate);
        order_like_js(entries);
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&JsonValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of `key` to change in place, if present.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut JsonValue> {
        self.entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<JsonValue> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// Entries in the object's order (see [`JsonObject`]).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &JsonValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Entries in the object's order, values mutable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut JsonValue)> {
        self.entries.iter_mut().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parses a JSON text that must be an object.
    ///
    /// ```
    /// use spanwire::slug::JsonObject;
    /// let o = JsonObject::parse(r#"{"b":1,"a":[true,null],"b":2.50}"#).unwrap();
    /// assert_eq!(o.to_json_string(), r#"{"b":2.5,"a":[true,null]}"#);
    /// assert!(JsonObject::parse("[1]").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, JsonError> {
        match JsonValue::parse(text)? {
            JsonValue::Object(object) => Ok(object),
            other => Err(JsonError { offset: 0, kind: JsonErrorKind::NotAnObject(other.type_name()) }),
        }
    }

    /// The compact `JSON.stringify` form.
    pub fn to_json_string(&self) -> String {
        let mut out = String::new();
        write_object(self, &mut out);
        out
    }
}

/// Builds an object from many entries with [`JsonObject::insert`]'s rules (a repeated
/// key keeps its first place and takes its last value) in O(n log n), so that a
/// hostile object with many keys costs no more than its size suggests. Entries are
/// kept as they come; [`finish`](Self::finish) finds the repeats, by a linear scan
/// for small objects and by a stable sort of the positions by key for larger ones.
/// (A `BTreeMap` index did the same at about 1.3 KB more gzip wasm.)
#[derive(Default)]
pub(crate) struct ObjectBuilder {
    entries: Vec<(String, JsonValue)>,
}

/// Objects with at most this many entries look for repeated keys by a linear scan.
const LINEAR_DEDUPE_MAX: usize = 16;

impl ObjectBuilder {
    pub(crate) fn push(&mut self, key: String, value: JsonValue) {
        self.entries.push((key, value));
    }

    pub(crate) fn finish(self) -> JsonObject {
        let mut entries = self.entries;
        if entries.len() <= LINEAR_DEDUPE_MAX {
            let mut object = JsonObject { entries: Vec::with_capacity(entries.len()) };
            for (key, value) in entries {
                object.insert(key, value);
            }
            return object;
        }
        let fate = keep_first_place_last_value(entries.len(), &|at| entries.get(at as usize).map_or("", |(k, _)| k));
        apply_fate(&mut entries, &fate);
        order_like_js(&mut entries);
        JsonObject { entries }
    }
}

/// What of `n` entries with keys `key(0..n)` is left after setting them one after
/// another, as [`JsonObject::insert`] does: a repeated key keeps its first place and
/// takes its last value. Returns each position's fate: [`GONE`], or the position whose
/// value it then holds (its own, or its key's last). O(n log n), by a stable sort of
/// the positions by key.
pub(crate) fn keep_first_place_last_value<'a>(n: usize, key: &dyn Fn(u32) -> &'a str) -> Vec<u32> {
    let positions = || (0..n as u32).collect::<Vec<u32>>();
    let mut order = positions();
    merge_sort_by(&mut order, &|a, b| key(a) <= key(b));
    let mut fate = positions();
    for group in order.chunk_by(|&a, &b| key(a) == key(b)) {
        if let [first, rest @ .., last] = group {
            for &at in rest.iter().chain([last]) {
                if let Some(f) = fate.get_mut(at as usize) {
                    *f = GONE;
                }
            }
            if let Some(f) = fate.get_mut(*first as usize) {
                *f = *last;
            }
        }
    }
    fate
}

/// A fate of [`keep_first_place_last_value`]: the entry goes.
pub(crate) const GONE: u32 = u32::MAX;

/// Applies [`keep_first_place_last_value`]'s `fate` to `entries`, keeping their order.
pub(crate) fn apply_fate<V>(entries: &mut Vec<(String, V)>, fate: &[u32]) {
    for (at, &to) in fate.iter().enumerate() {
        if to != GONE && to as usize != at {
            entries.swap(at, to as usize);
        }
    }
    // Close the gaps, in order.
    let mut kept = 0;
    for (at, &to) in fate.iter().enumerate() {
        if to != GONE {
            entries.swap(kept, at);
            kept += 1;
        }
    }
    entries.truncate(kept);
}

/// The value of `key` as a JS array index: a decimal without leading zeros from 0 to
/// 2^32 - 2. A JS object lists such keys before the others, in ascending order.
fn array_index(key: &str) -> Option<u32> {
    let digits = key.as_bytes();
    if digits.is_empty() || digits.len() > 10 || (digits.len() > 1 && digits.first() == Some(&b'0')) {
        return None;
    }
    let mut value: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(d - b'0');
    }
    u32::try_from(value).ok().filter(|&v| v != u32::MAX)
}

/// Moves the array-index keys of distinct `entries` to the front, in ascending order
/// (stable for the others): the order a JS object gives them, in O(n log n).
fn order_like_js(entries: &mut [(String, JsonValue)]) {
    let index_of = |at: u32| entries.get(at as usize).and_then(|(k, _)| array_index(k));
    if !(0..entries.len() as u32).any(|at| index_of(at).is_some()) {
        return;
    }
    // order[i]: the position of the entry that goes to i.
    let mut order: Vec<u32> = (0..entries.len() as u32).collect();
    merge_sort_by(&mut order, &|a, b| match (index_of(a), index_of(b)) {
        (Some(x), Some(y)) => x <= y,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => true, // equal: the stable sort keeps their order
    });
    // Applied in place, one cycle of the permutation at a time.
    const DONE: u32 = u32::MAX;
    for start in 0..order.len() {
        let mut at = start;
        while let Some(slot) = order.get_mut(at) {
            let from = core::mem::replace(slot, DONE);
            if from == DONE || from as usize == start {
                break;
            }
            entries.swap(at, from as usize);
            at = from as usize;
        }
    }
}

/// Sorts `items` stably by `le` (a less-or-equal test): bottom-up merge sort,
/// O(n log n) comparisons. Written out because core's sorts are several KB of wasm.
fn merge_sort_by(items: &mut Vec<u32>, le: &dyn Fn(u32, u32) -> bool) {
    let mut width = 1;
    let mut merged = Vec::with_capacity(items.len());
    while width < items.len() {
        merged.clear();
        for pair in items.chunks(2 * width) {
            let (mut left, mut right) = pair.split_at_checked(width).unwrap_or((pair, &[]));
            loop {
                let next = match (left.first(), right.first()) {
                    (Some(&a), Some(&b)) if !le(a, b) => {
                        right = right.get(1..).unwrap_or_default();
                        b
                    }
                    (Some(&a), _) => {
                        left = left.get(1..).unwrap_or_default();
                        a
                    }
                    (None, Some(&b)) => {
                        right = right.get(1..).unwrap_or_default();
                        b
                    }
                    (None, None) => break,
                };
                merged.push(next);
            }
        }
        core::mem::swap(items, &mut merged);
        width *= 2;
    }
}

/// Entries in the object's order (see [`JsonObject`]).
impl IntoIterator for JsonObject {
    type Item = (String, JsonValue);
    type IntoIter = alloc::vec::IntoIter<(String, JsonValue)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl FromIterator<(String, JsonValue)> for JsonObject {
    fn from_iter<I: IntoIterator<Item = (String, JsonValue)>>(iter: I) -> Self {
        let mut builder = ObjectBuilder::default();
        for (k, v) in iter {
            builder.push(k, v);
        }
        builder.finish()
    }
}

impl JsonValue {
    /// Parses one JSON text (surrounding JSON whitespace allowed), like `JSON.parse`.
    pub fn parse(text: &str) -> Result<Self, JsonError> {
        let mut parser = Parser { text, pos: 0 };
        parser.skip_whitespace();
        let value = parser.value(0)?;
        parser.skip_whitespace();
        if parser.pos < text.len() {
            return Err(parser.error(JsonErrorKind::TrailingCharacters));
        }
        Ok(value)
    }

    /// The compact `JSON.stringify` form.
    pub fn to_json_string(&self) -> String {
        let mut out = String::new();
        write_value(self, &mut out);
        out
    }

    /// The JSON type name, for error messages: `null`, `boolean`, `number`, `string`,
    /// `array` or `object`.
    pub fn type_name(&self) -> &'static str {
        match self {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "boolean",
            JsonValue::Number(_) => "number",
            JsonValue::String(_) => "string",
            JsonValue::Array(_) => "array",
            JsonValue::Object(_) => "object",
        }
    }
}

impl fmt::Display for JsonValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

impl fmt::Display for JsonObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

// ---------------------------------------------------------------------------------
// Errors

/// Why a JSON text did not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset in the text given to the parser.
    pub offset: usize,
    pub kind: JsonErrorKind,
}

/// What was wrong with a JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonErrorKind {
    /// The text ended inside a value.
    UnexpectedEnd,
    /// This character cannot appear here.
    UnexpectedCharacter(char),
    /// A backslash escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
    InvalidEscape,
    /// A raw control character (below U+0020) inside a string.
    ControlCharacter,
    /// Malformed number.
    InvalidNumber,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Something follows the value.
    TrailingCharacters,
    /// The value is not an object (its JSON type).
    NotAnObject(&'static str),
}

impl Message for JsonError {
    fn write_to(&self, out: &mut String) {
        let at = self.offset;
        match &self.kind {
            JsonErrorKind::UnexpectedEnd => message!(out, "unexpected end at byte ", at),
            JsonErrorKind::UnexpectedCharacter(c) => {
                message!(out, "unexpected character ", QuotedChar(*c), " at byte ", at)
            }
            JsonErrorKind::InvalidEscape => message!(out, "invalid escape at byte ", at),
            JsonErrorKind::ControlCharacter => message!(out, "unescaped control character in a string at byte ", at),
            JsonErrorKind::InvalidNumber => message!(out, "invalid number at byte ", at),
            JsonErrorKind::TooDeep => message!(out, "nested deeper than ", MAX_DEPTH, " levels at byte ", at),
            JsonErrorKind::TrailingCharacters => message!(out, "unexpected data after the value at byte ", at),
            JsonErrorKind::NotAnObject(found) => message!(out, "expected an object, found ", found),
        }
    }
}

display_message!(JsonError);

impl core::error::Error for JsonError {}

// ---------------------------------------------------------------------------------
// Parser: a cursor over the text; every read goes through `get`.

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn error(&self, kind: JsonErrorKind) -> JsonError {
        JsonError { offset: self.pos, kind }
    }

    /// The error for whatever sits at the cursor: end of input or an unexpected char.
    fn unexpected(&self) -> JsonError {
        match self.text.get(self.pos..).and_then(|rest| rest.chars().next()) {
            Some(c) => self.error(JsonErrorKind::UnexpectedCharacter(c)),
            None => self.error(JsonErrorKind::UnexpectedEnd),
        }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, literal: &str, value: JsonValue) -> Result<JsonValue, JsonError> {
        for expected in literal.bytes() {
            if self.peek() != Some(expected) {
                return Err(self.unexpected());
            }
            self.pos += 1;
        }
        Ok(value)
    }

    fn value(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1).map(JsonValue::Object),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(JsonValue::String),
            Some(b't') => self.expect_literal("true", JsonValue::Bool(true)),
            Some(b'f') => self.expect_literal("false", JsonValue::Bool(false)),
            Some(b'n') => self.expect_literal("null", JsonValue::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.unexpected()),
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonObject, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(JsonErrorKind::TooDeep));
        }
        self.pos += 1; // '{'
        let mut object = ObjectBuilder::default();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(object.finish());
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected());
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.unexpected());
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value(depth)?;
            object.push(key, value);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(object.finish());
                }
                _ => return Err(self.unexpected()),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(JsonErrorKind::TooDeep));
        }
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsonValue::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonValue::Array(items));
                }
                _ => return Err(self.unexpected()),
            }
        }
    }

    /// A string; the cursor is on the opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // '"'
        let mut out = String::new();
        let mut run_start = self.pos;
        loop {
            let Some(byte) = self.peek() else {
                return Err(self.error(JsonErrorKind::UnexpectedEnd));
            };
            match byte {
                b'"' | b'\\' => {
                    // Runs end at ASCII bytes, so they are whole UTF-8 sequences.
                    out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
                    self.pos += 1;
                    if byte == b'"' {
                        return Ok(out);
                    }
                    self.escape(&mut out)?;
                    run_start = self.pos;
                }
                0x00..=0x1f => return Err(self.error(JsonErrorKind::ControlCharacter)),
                _ => self.pos += 1,
            }
        }
    }

    /// One escape; the cursor is just after the backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let escape_at = self.pos.saturating_sub(1);
        let simple = match self.peek() {
            None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let mut unit = self.hex4()?;
                // A high surrogate takes the low one after it. A surrogate without its
                // other half, which a JS string may hold but a Rust one cannot, becomes
                // U+FFFD, as JS's UTF-8 encoders (TextEncoder, encodeInto) write it.
                while (0xd800..0xdc00).contains(&unit)
                    && self.text.as_bytes().get(self.pos..self.pos + 2) == Some(b"\\u")
                {
                    self.pos += 2;
                    let next = self.hex4()?;
                    if (0xdc00..0xe000).contains(&next) {
                        let code = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
                        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                        return Ok(());
                    }
                    out.push(char::REPLACEMENT_CHARACTER);
                    unit = next;
                }
                out.push(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
                return Ok(());
            }
            Some(_) => return Err(JsonError { offset: escape_at, kind: JsonErrorKind::InvalidEscape }),
        };
        self.pos += 1;
        out.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut value = 0u32;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| char::from(b).to_digit(16)).ok_or_else(|| match self.peek() {
                None => self.error(JsonErrorKind::UnexpectedEnd),
                Some(_) => self.error(JsonErrorKind::InvalidEscape),
            })?;
            value = (value << 4) | digit;
            self.pos += 1;
        }
        Ok(value)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, read as the nearest double.
    fn number(&mut self) -> Result<JsonValue, JsonError> {
        let start = self.pos;
        let invalid = |at: usize| JsonError { offset: at, kind: JsonErrorKind::InvalidNumber };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(invalid(self.pos)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(invalid(self.pos));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(invalid(self.pos));
            }
            self.digits();
        }
        // Correctly rounded, as JS's parsing is; overflow gives ±inf.
        self.text
            .get(start..self.pos)
            .and_then(crate::decimal::parse_f64)
            .map(JsonValue::Number)
            .ok_or_else(|| invalid(start))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }
}

// ---------------------------------------------------------------------------------
// Writer: JSON.stringify, compact.

fn write_value(value: &JsonValue, out: &mut String) {
    match value {
        JsonValue::Null => out.push_str("null"),
        JsonValue::Bool(true) => out.push_str("true"),
        JsonValue::Bool(false) => out.push_str("false"),
        JsonValue::Number(n) => write_js_number(*n, out),
        JsonValue::String(s) => write_string(s, out),
        JsonValue::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        JsonValue::Object(object) => write_object(object, out),
    }
}

fn write_object(object: &JsonObject, out: &mut String) {
    out.push('{');
    for (i, (key, value)) in object.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(key, out);
        out.push(':');
        write_value(value, out);
    }
    out.push('}');
}

/// Writes a JSON object entry by entry, without building a [`JsonObject`] first.
#[derive(Default)]
pub(crate) struct ObjectWriter {
    out: String,
}

impl ObjectWriter {
    fn key(&mut self, key: &str) {
        self.out.push(if self.out.is_empty() { '{' } else { ',' });
        write_string(key, &mut self.out);
        self.out.push(':');
    }

    pub(crate) fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        write_string(value, &mut self.out);
    }

    pub(crate) fn object(&mut self, key: &str, value: &JsonObject) {
        self.key(key);
        write_object(value, &mut self.out);
    }

    /// The object's text, or `None` when it has no entries.
    pub(crate) fn finish(mut self) -> Option<String> {
        if self.out.is_empty() {
            return None;
        }
        self.out.push('}');
        Some(self.out)
    }
}

/// A JSON string literal exactly as `JSON.stringify` writes it.
pub(crate) fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str("\\u00");
                let v = u32::from(c);
                for nibble in [v >> 4, v & 0xf] {
                    out.push(char::from_digit(nibble, 16).unwrap_or('0'));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The shortest decimal digits that round-trip to `n` (finite, non-zero, sign
/// ignored) and `point`, where the decimal point sits: `n = 0.d1d2…dk × 10^point`.
/// The digits come from zmij (shortest and, on a tie, closest: the digits
/// ECMA-262 asks for); its text, `1.5e-7`, `123.0`, `1e21`, is read back here.
fn shortest_digits(n: f64) -> ([u8; 17], usize, i32) {
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(n.abs());
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        // zmij writes the exponent as an optional `-` and up to three digits.
        Some((m, e)) => {
            let (negative, digits) = match e.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, e.strip_prefix('+').unwrap_or(e)),
            };
            let magnitude =
                digits.bytes().fold(0i32, |n, b| n.wrapping_mul(10).wrapping_add(i32::from(b.wrapping_sub(b'0'))));
            (m, if negative { -magnitude } else { magnitude })
        }
        None => (text, 0),
    };
    let mut digits = [b'0'; 17];
    let mut len = 0usize;
    // Digits before the decimal point in `mantissa`, less the leading zeros skipped.
    let mut point = exponent;
    let mut seen_point = false;
    for b in mantissa.bytes() {
        match b {
            b'.' => seen_point = true,
            b'0'..=b'9' => {
                if len == 0 && b == b'0' {
                    // A leading zero: after the point it moves the point left.
                    if seen_point {
                        point -= 1;
                    }
                    continue;
                }
                if !seen_point {
                    point += 1;
                }
                if let Some(slot) = digits.get_mut(len) {
                    *slot = b;
                    len += 1;
                }
            }
            _ => {}
        }
    }
    // Trailing zeros (`123.0`, `100`) carry no digits of their own.
    while len > 1 && digits.get(len - 1) == Some(&b'0') {
        len -= 1;
    }
    (digits, len, point)
}

/// `Number.prototype.toString()` (ECMA-262 Number::toString, radix 10); JSON.stringify
/// writes `null` for NaN and the infinities.
fn write_js_number(n: f64, out: &mut String) {
    if !n.is_finite() {
        out.push_str("null");
        return;
    }
    if n == 0.0 {
        out.push('0'); // also -0
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    let (digits, len, n_pos) = shortest_digits(n);
    // ASCII digits, so this is always `Some`. The splits below are checked ones: a
    // `str` split the compiler cannot prove to be on a char boundary links core's
    // slicing panic, and with it the `Debug` formatting of chars.
    let digits = core::str::from_utf8(digits.get(..len).unwrap_or_default()).unwrap_or_default();
    let k = len as i32;
    if k <= n_pos && n_pos <= 21 {
        out.push_str(digits);
        out.extend(core::iter::repeat('0').take((n_pos - k) as usize));
    } else if 0 < n_pos && n_pos <= 21 {
        let (int, frac) = digits.split_at_checked(n_pos as usize).unwrap_or((digits, ""));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n_pos && n_pos <= 0 {
        out.push_str("0.");
        out.extend(core::iter::repeat('0').take((-n_pos) as usize));
        out.push_str(digits);
    } else {
        let exponent = n_pos - 1;
        let (first, rest) = digits.split_at_checked(1).unwrap_or((digits, ""));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        write_u32(exponent.unsigned_abs(), out);
    }
}

/// A `u32` in decimal, without `core::fmt`.
pub(crate) fn write_u32(mut value: u32, out: &mut String) {
    let mut buf = [b'0'; 10];
    let mut start = buf.len();
    loop {
        start -= 1;
        if let Some(slot) = buf.get_mut(start) {
            *slot = b'0' + (value % 10) as u8;
        }
        value /= 10;
        if value == 0 || start == 0 {
            break;
        }
    }
    out.push_str(core::str::from_utf8(buf.get(start..).unwrap_or_default()).unwrap_or_default());
}

/// A finite double as the shortest text that parses back to it, the way serde_json
/// writes one (`1.5`, `-0.0`, `1e300`): for proto3 JSON, which only asks for a round
/// trip. Non-finite values are the caller's to handle.
pub(crate) fn write_f64_shortest(n: f64, out: &mut Vec<u8>) {
    out.extend_from_slice(zmij::Buffer::new().format_finite(n).as_bytes());
}

// ---------------------------------------------------------------------------------
// serde: both directions keep key order (the tests compare these values with
// serde_json's, key order included).

impl serde::Serialize for JsonValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonValue::Null => serializer.serialize_unit(),
            JsonValue::Bool(b) => serializer.serialize_bool(*b),
            JsonValue::Number(n) => serializer.serialize_f64(*n),
            JsonValue::String(s) => serializer.serialize_str(s),
            JsonValue::Array(items) => serializer.collect_seq(items),
            JsonValue::Object(object) => object.serialize(serializer),
        }
    }
}

impl serde::Serialize for JsonObject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

struct ValueVisitor;

impl<'de> serde::de::Visitor<'de> for ValueVisitor {
    type Value = JsonValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<JsonValue, E> {
        Ok(JsonValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<JsonValue, E> {
        Ok(JsonValue::Number(v as f64)) // JS numbers are doubles
    }
    fn visit_u64<E>(self, v: u64) -> Result<JsonValue, E> {
        Ok(JsonValue::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<JsonValue, E> {
        Ok(JsonValue::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<JsonValue, E> {
        Ok(JsonValue::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<JsonValue, E> {
        Ok(JsonValue::String(v))
    }
    fn visit_unit<E>(self) -> Result<JsonValue, E> {
        Ok(JsonValue::Null)
    }
    fn visit_none<E>(self) -> Result<JsonValue, E> {
        Ok(JsonValue::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<JsonValue, D::Error> {
        serde::Deserialize::deserialize(d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<JsonValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(JsonValue::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonValue, A::Error> {
        let mut object = ObjectBuilder::default();
        while let Some((key, value)) = map.next_entry::<String, JsonValue>()? {
            object.push(key, value);
        }
        Ok(JsonValue::Object(object.finish()))
    }
}

impl<'de> serde::Deserialize<'de> for JsonValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

impl<'de> serde::Deserialize<'de> for JsonObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match JsonValue::deserialize(d)? {
            JsonValue::Object(object) => Ok(object),
            other => Err(serde::de::Error::custom(format_args!("expected an object, found {}", other.type_name()))),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_are_in_javascript_order() {
        // Each expected text is what Node 20's `JSON.stringify(JSON.parse(text))` gives.
        let cases = [
            (r#"{"b":1,"1":2,"a":{"z":1,"0":2}}"#, r#"{"1":2,"b":1,"a":{"0":2,"z":1}}"#),
            (
                r#"{"x":0,"10":1,"9":2,"01":3,"-1":4,"1.5":5,"4294967294":6,"4294967295":7,"0":8," 1":9}"#,
                r#"{"0":8,"9":2,"10":1,"4294967294":6,"x":0,"01":3,"-1":4,"1.5":5,"4294967295":7," 1":9}"#,
            ),
            (r#"{"b":1,"2":1,"1":1,"2":3,"b":4}"#, r#"{"1":1,"2":3,"b":4}"#),
            // More than LINEAR_DEDUPE_MAX entries: the sorted path, with a repeated key.
            (
                r#"{"k0":0,"0":0,"k1":1,"7":1,"k2":2,"14":2,"k3":3,"1":3,"k4":4,"8":4,"k5":5,"15":5,"k6":6,"2":6,"k7":7,"9":7,"k8":8,"16":8,"k9":9,"3":9,"k10":10,"10":10,"k11":11,"17":11,"k12":12,"4":12,"k13":13,"11":13,"k14":14,"18":14,"k15":15,"5":15,"k16":16,"12":16,"k17":17,"19":17,"k18":18,"6":18,"k19":19,"13":19,"3":"last"}"#,
                concat!(
                    r#"{"0":0,"1":3,"2":6,"3":"last","4":12,"5":15,"6":18,"7":1,"8":4,"9":7,"10":10,"11":13,"#,
                    r#""12":16,"13":19,"14":2,"15":5,"16":8,"17":11,"18":14,"19":17,"k0":0,"k1":1,"k2":2,"#,
                    r#""k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"#,
                    r#""k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k18":18,"k19":19}"#
                ),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(JsonValue::parse(text).unwrap().to_json_string(), expected, "{text}");
        }
    }

    #[test]
    fn object_key_order_matches_a_model_of_javascript_objects() {
        // Random objects (repeated keys included) on both paths of ObjectBuilder, and
        // built by insert, against the rule itself: array indexes ascending, then the
        // other keys by first appearance; a repeated key takes its last value.
        const POOL: [&str; 12] = ["0", "1", "7", "10", "01", "-1", "a", "b", "4294967294", "4294967295", "2", "x"];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..2000 {
            let entries: Vec<(String, JsonValue)> =
                (0..next(40)).map(|i| (POOL[next(POOL.len())].to_string(), JsonValue::Number(i as f64))).collect();
            let mut model: Vec<(String, JsonValue)> = Vec::new();
            for (k, v) in &entries {
                match model.iter_mut().find(|(mk, _)| mk == k) {
                    Some(slot) => slot.1 = v.clone(),
                    None => model.push((k.clone(), v.clone())),
                }
            }
            let rank = |k: &str| array_index(k).map_or(u64::MAX, u64::from);
            model.sort_by_key(|(k, _)| rank(k)); // stable: the other keys keep their order
            let built: JsonObject = entries.iter().cloned().collect();
            let mut inserted = JsonObject::new();
            for (k, v) in entries {
                inserted.insert(k, v);
            }
            assert_eq!(built.entries, model);
            assert_eq!(inserted.entries, model);
        }
    }

    #[test]
    fn numbers_print_as_javascript_prints_them() {
        // (input JSON, JSON.stringify(JSON.parse(input)), reason)
        let cases: &[(&str, &str, &str)] = &[
            ("0", "0", "zero"),
            ("-0", "0", "negative zero prints as 0"),
            ("1.0", "1", "integral double has no fraction"),
            ("2.50", "2.5", "trailing zero dropped"),
            ("100", "100", "integer"),
            ("123456789012345678901", "123456789012345680000", "21 digits, still positional"),
            ("1e21", "1e+21", "22 digits switches to exponent with sign"),
            ("1.5e300", "1.5e+300", "large exponent"),
            ("0.000001", "0.000001", "six leading zeros stay positional"),
            ("0.0000001", "1e-7", "seven switch to exponent"),
            ("1.25e-7", "1.25e-7", "fraction in exponent form"),
            ("-3.14", "-3.14", "negative"),
            ("9007199254740993", "9007199254740992", "beyond 2^53 rounds to a double"),
            ("0.1", "0.1", "shortest round trip"),
            ("1e400", "null", "overflow is Infinity, written as null"),
            ("123e-20", "1.23e-18", "exponent form from a positional literal"),
            ("0.00001234", "0.00001234", "five leading zeros stay positional"),
            ("1.7976931348623157e308", "1.7976931348623157e+308", "largest double"),
            ("5e-324", "5e-324", "smallest subnormal"),
            ("4.35", "4.35", "zmij writes 4.35 as is"),
            ("1e20", "100000000000000000000", "21 digits positional"),
            ("-1.5e-7", "-1.5e-7", "negative exponent form"),
            ("1394865425023536.25", "1394865425023536.2", "a tie takes the even digit, as JS does"),
        ];
        for (input, expected, reason) in cases {
            let value = JsonValue::parse(input).unwrap_or_else(|e| panic!("{reason}: {e}"));
            assert_eq!(value.to_json_string(), *expected, "{reason}: {input}");
        }
    }

    /// The digits and exponent read back from zmij are shortest and round-trip, over
    /// many doubles of every magnitude, subnormals included. They are the digits
    /// `core::fmt`'s `{:e}` gives, except on an exact tie between two shortest
    /// candidates, where ECMA-262 (and zmij) take the even one and `core::fmt` the
    /// upper one (`1394865425023536.25` prints `…36.2` in JS; see the table above).
    #[test]
    fn shortest_digits_round_trip_and_match_core_fmt_but_ties() {
        let mut ties = 0;
        let mut check = |n: f64| {
            let (digits, len, point) = shortest_digits(n);
            let ours = core::str::from_utf8(&digits[..len]).unwrap().to_owned();
            let back: f64 = format!("0.{ours}e{point}").parse().unwrap();
            assert_eq!(back, n.abs(), "{n:e} round trip");
            let sci = format!("{:e}", n.abs());
            let (mantissa, exponent) = sci.split_once('e').unwrap();
            let theirs = mantissa.replace('.', "");
            let their_point = exponent.parse::<i32>().unwrap() + 1;
            if (ours.as_str(), point) != (theirs.as_str(), their_point) {
                // A tie: same length and point, last digits one apart, ours even.
                assert_eq!((ours.len(), point), (theirs.len(), their_point), "{n:e}");
                let (o, t) = (ours.as_bytes()[len - 1], theirs.as_bytes()[len - 1]);
                assert_eq!((o + 1, o % 2), (t, 0), "{n:e}: {ours} vs {theirs}");
                ties += 1;
            }
        };
        for n in [1.0, 0.1, 1e21, 1e-7, 5e-324, f64::MAX, f64::MIN_POSITIVE, 123.0, 100.0, 9.5, 2.5e-5] {
            check(n);
        }
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200_000 {
            // xorshift64*: arbitrary bit patterns, so every exponent is hit.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let n = f64::from_bits(state.wrapping_mul(0x2545_f491_4f6c_dd1d));
            if n.is_finite() && n != 0.0 {
                check(n);
            }
        }
        for i in 1..20_000u32 {
            check(f64::from(i) / 1000.0); // short decimals, the common case
        }
        check("1394865425023536.25".parse().unwrap()); // exactly …36.25
        assert!(ties >= 1, "the known tie was seen");
    }

    #[test]
    fn strings_escape_as_javascript_escapes_them() {
        let cases: &[(&str, &str, &str)] = &[
            ("Café ☕", "\"Café ☕\"", "non-ASCII raw"),
            ("a\"b\\c", r#""a\"b\\c""#, "quote and backslash"),
            ("\u{8}\u{c}\n\r\t", r#""\b\f\n\r\t""#, "short escapes"),
            ("\u{1}\u{1f}", r#""\u0001\u001f""#, "other controls as lowercase \\u00xx"),
            ("\u{7f}\u{2028}/", "\"\u{7f}\u{2028}/\"", "DEL, U+2028 and slash raw"),
            ("😀", "\"😀\"", "astral raw"),
        ];
        for (input, expected, reason) in cases {
            let mut out = String::new();
            write_string(input, &mut out);
            assert_eq!(out, *expected, "{reason}");
            assert_eq!(JsonValue::parse(&out), Ok(JsonValue::String((*input).to_owned())), "{reason}: parse back");
        }
    }

    #[test]
    fn bad_json_says_what_and_where() {
        let cases: &[(&str, JsonErrorKind, usize, &str)] = &[
            ("", JsonErrorKind::UnexpectedEnd, 0, "empty"),
            ("{", JsonErrorKind::UnexpectedEnd, 1, "unclosed object"),
            ("{\"a\" 1}", JsonErrorKind::UnexpectedCharacter('1'), 5, "missing colon"),
            ("{\"a\":1,}", JsonErrorKind::UnexpectedCharacter('}'), 7, "trailing comma"),
            ("[01]", JsonErrorKind::UnexpectedCharacter('1'), 2, "leading zero"),
            ("1.", JsonErrorKind::InvalidNumber, 2, "no fraction digits"),
            ("\"\\x\"", JsonErrorKind::InvalidEscape, 1, "unknown escape"),
            ("\"a\nb\"", JsonErrorKind::ControlCharacter, 2, "raw newline in string"),
            ("{} x", JsonErrorKind::TrailingCharacters, 3, "data after value"),
            ("tru", JsonErrorKind::UnexpectedEnd, 3, "truncated literal"),
            ("é", JsonErrorKind::UnexpectedCharacter('é'), 0, "non-ASCII outside a string"),
        ];
        for (input, kind, offset, reason) in cases {
            assert_eq!(JsonValue::parse(input), Err(JsonError { offset: *offset, kind: kind.clone() }), "{reason}");
        }
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(matches!(JsonValue::parse(&deep), Err(JsonError { kind: JsonErrorKind::TooDeep, .. })));
        let ok_deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(JsonValue::parse(&ok_deep).is_ok(), "exactly MAX_DEPTH levels");
    }

    #[test]
    fn error_messages_quote_printable_ascii_and_number_the_rest() {
        let message = |input: &str| JsonValue::parse(input).unwrap_err().to_string();
        assert_eq!(message("[1,x]"), "unexpected character 'x' at byte 3");
        assert_eq!(message("{\"a\" 1}"), "unexpected character '1' at byte 5");
        assert_eq!(message("'a'"), "unexpected character U+0027 at byte 0", "the quote itself");
        assert_eq!(message("é"), "unexpected character U+00E9 at byte 0");
        assert_eq!(message("\u{a0}1"), "unexpected character U+00A0 at byte 0", "NBSP is not JSON whitespace");
        assert_eq!(message("[\u{1f600}]"), "unexpected character U+1F600 at byte 1");
        assert_eq!(message("\u{7f}"), "unexpected character U+007F at byte 0", "DEL");
    }

    #[test]
    fn builder_keeps_first_place_and_last_value_at_every_size() {
        // The reference is `JsonObject::insert`, one entry at a time. Sizes run past
        // LINEAR_DEDUPE_MAX so both ways of finding repeats are checked, with key
        // alphabets from "all the same" to "all different".
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        for len in (0..=40).chain([63, 64, 65, 200, 1000]) {
            for distinct in [1, 2, 3, 17, 1000] {
                let mut builder = ObjectBuilder::default();
                let mut reference = JsonObject::default();
                for i in 0..len {
                    let key = format!("k{}", next() % distinct);
                    let value = JsonValue::Number(f64::from(i as u32));
                    builder.push(key.clone(), value.clone());
                    reference.insert(key, value);
                }
                let built = builder.finish();
                assert_eq!(built, reference, "{len} entries, {distinct} distinct keys");
            }
        }
    }

    #[test]
    fn duplicate_keys_keep_first_place_and_last_value() {
        let o = JsonObject::parse(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(o.to_json_string(), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn surrogate_pair_escape_decodes() {
        assert_eq!(JsonValue::parse(r#""\ud83d\ude00""#), Ok(JsonValue::String("😀".into())));
    }

    #[test]
    fn lone_surrogate_escapes_read_as_the_replacement_character() {
        // Each expected string is what Node 20's TextEncoder makes of JSON.parse(text).
        let cases = [
            (r#""\ud800""#, "\u{fffd}"),
            (r#""\udc00""#, "\u{fffd}"),
            (r#""a\ud800b""#, "a\u{fffd}b"),
            (r#""\ud800\u0041""#, "\u{fffd}A"),
            (r#""\ud800\ud83d\ude00""#, "\u{fffd}😀"),
            (r#""\ude00\ud83d""#, "\u{fffd}\u{fffd}"),
        ];
        for (text, expected) in cases {
            assert_eq!(JsonValue::parse(text), Ok(JsonValue::String(expected.into())), "{text}");
        }
        assert_eq!(JsonValue::parse(r#""\ud800\u12""#).map_err(|e| e.kind), Err(JsonErrorKind::InvalidEscape));
    }
}
