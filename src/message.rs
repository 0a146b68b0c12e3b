//! Error messages, written without `core::fmt`.
//!
//! A message is text, decimal numbers and the crate's own values (a slug part, a JSON
//! error inside a slug error). Written with `write!(f, "... at byte {at}")`, every
//! message went through `core::fmt::write`, which pads each `{}` argument
//! (`Formatter::pad`, `pad_integral`) and formats integers with core's generic code,
//! none of which a message uses. Here a message is appended to a `String` piece by
//! piece instead:
//!
//! ```ignore
//! message!(out, "unexpected end at byte ", at)
//! ```
//!
//! The error types implement [`Message`], and their `Display` delegates to it
//! ([`display_message!`]), so Rust callers see the usual `Display`. The bindings make
//! a JS `Error` from [`text`], so nothing in the wasm build calls into `core::fmt`:
//! its formatting code left the module, 2.4 KB of gzip (6.7 KB of raw wasm), and the
//! messages read as before. The other routes into `core::fmt` are closed for the
//! same reason: the cell statics trap without `RefCell`'s panic message
//! (`single_thread.rs`), and the random source's error is described as text
//! (`random.rs`).
//! `scripts/no-fmt-check.mjs` (run by `scripts/test`) fails if the formatting code
//! comes back.

use crate::decimal::Digits;
use crate::prelude::*;

/// Something a message is built from: text, a number, or a value with a message of
/// its own.
pub(crate) trait Message {
    fn write_to(&self, out: &mut String);
}

impl Message for str {
    fn write_to(&self, out: &mut String) {
        out.push_str(self)
    }
}

impl Message for String {
    fn write_to(&self, out: &mut String) {
        out.push_str(self)
    }
}

impl<T: Message + ?Sized> Message for &T {
    fn write_to(&self, out: &mut String) {
        (**self).write_to(out)
    }
}

impl Message for u8 {
    fn write_to(&self, out: &mut String) {
        push_decimal(out, u64::from(*self))
    }
}

impl Message for usize {
    fn write_to(&self, out: &mut String) {
        // usize is at most 64 bits on every target Rust supports.
        push_decimal(out, *self as u64)
    }
}

impl Message for i32 {
    fn write_to(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        push_decimal(out, u64::from(self.unsigned_abs()))
    }
}

/// Appends `value` in decimal: the integer pieces of messages, and through them the
/// snapshot's length prefixes.
#[inline(never)]
fn push_decimal(out: &mut String, value: u64) {
    out.push_str(Digits::new(value).as_str());
}

/// The message as a `String`: what the bindings put in a JS `Error`.
pub(crate) fn text(message: &dyn Message) -> String {
    let mut out = String::new();
    message.write_to(&mut out);
    out
}

/// Appends a message to `out` piece by piece: `message!(out, "at byte ", at)`. Each
/// piece is a [`Message`] (text, an integer, or a value with a message of its own).
macro_rules! message {
    ($out:expr, $($piece:expr),+ $(,)?) => {{
        let out: &mut $crate::prelude::String = $out;
        $($crate::message::Message::write_to(&$piece, out);)+
    }};
}
pub(crate) use message;

/// A message as a new `String`, from its pieces: `message_text!("got ", v)`.
#[cfg(target_arch = "wasm32")]
macro_rules! message_text {
    ($($piece:expr),+ $(,)?) => {{
        let mut out = $crate::prelude::String::new();
        $crate::message::message!(&mut out, $($piece),+);
        out
    }};
}
#[cfg(target_arch = "wasm32")]
pub(crate) use message_text;

/// `Display` for types whose text is their [`Message`].
macro_rules! display_message {
    ($($t:ty),+ $(,)?) => {$(
        impl core::fmt::Display for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&$crate::message::text(self))
            }
        }
    )+};
}
pub(crate) use display_message;

/// A character as error messages show it: `'x'` for printable ASCII other than the
/// quote itself, `U+00A0` for anything else (space and control characters included,
/// so that nothing invisible hides between the quotes). `{:?}` would link core's
/// `char` escaping and its Unicode printability tables: about 2.7 KB of gzip wasm.
pub(crate) struct QuotedChar(pub char);

impl Message for QuotedChar {
    fn write_to(&self, out: &mut String) {
        match self.0 {
            c @ '!'..='~' if c != '\'' => {
                out.push('\'');
                out.push(c);
                out.push('\'');
            }
            c => {
                // `U+` and at least four upper-case hex digits, as `{:04X}` writes them.
                let v = u32::from(c);
                let digits = if v > 0xf_ffff {
                    6
                } else if v > 0xffff {
                    5
                } else {
                    4
                };
                out.push_str("U+");
                for shift in (0..digits).rev() {
                    let nibble = (v >> (4 * shift)) & 0xf;
                    out.push(char::from_digit(nibble, 16).unwrap_or('0').to_ascii_uppercase());
                }
            }
        }
    }
}

display_message!(QuotedChar);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn integer_pieces_match_display() {
        for v in [i32::MIN, -1000, -1, 0, 1, 42, i32::MAX] {
            assert_eq!(text(&v), v.to_string());
        }
        assert_eq!(text(&u8::MAX), "255");
        assert_eq!(text(&usize::MAX), usize::MAX.to_string());
    }

    #[test]
    fn message_writes_pieces_in_order() {
        let mut out = String::new();
        message!(&mut out, "truncated: ", QuotedChar('x'), " needs ", 16usize, " bytes", String::from("!"));
        assert_eq!(out, "truncated: 'x' needs 16 bytes!");
    }

    #[test]
    fn quoted_char_shows_printable_ascii_quoted_and_the_rest_as_a_code_point() {
        for c in ['a', 'Z', '0', '!', '~', '"', '\\'] {
            assert_eq!(QuotedChar(c).to_string(), format!("'{c}'"));
        }
        for c in
            ['\'', ' ', '\0', '\u{7f}', '\u{a0}', 'é', '\u{ffff}', '\u{10000}', '\u{1f600}', '\u{fffff}', '\u{10ffff}']
        {
            assert_eq!(QuotedChar(c).to_string(), format!("U+{:04X}", u32::from(c)), "{c:?}");
        }
        assert_eq!(QuotedChar('\u{1f600}').to_string(), "U+1F600");
    }
}
