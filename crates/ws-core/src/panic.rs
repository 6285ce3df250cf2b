//! The text of a caught panic, for the crates that run callbacks and checks in isolation.

use std::any::Any;

/// The message of a caught panic's payload: the `&str` of `panic!("literal")` or the
/// `String` of `panic!("{formatted}")`; `None` for any other payload.
///
/// ```
/// let caught = std::panic::catch_unwind(|| panic!("check {} failed", 7)).unwrap_err();
/// assert_eq!(ws_core::panic_message(caught.as_ref()), Some("check 7 failed"));
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    let literal = payload.downcast_ref::<&str>().copied();
    literal.or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::panic_message;

    #[test]
    fn literal_and_formatted_messages_are_read_and_other_payloads_are_none() {
        let literal: Box<dyn std::any::Any + Send> = Box::new("literal");
        let formatted: Box<dyn std::any::Any + Send> = Box::new(String::from("formatted"));
        let other: Box<dyn std::any::Any + Send> = Box::new(42_u32);
        assert_eq!(panic_message(literal.as_ref()), Some("literal"));
        assert_eq!(panic_message(formatted.as_ref()), Some("formatted"));
        assert_eq!(panic_message(other.as_ref()), None);
    }
}
