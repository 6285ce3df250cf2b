//! A test hook between taking the client's outbox and pushing into it, where a
//! SESSION_LOST can replace the outbox: the unit tests of that race set it; elsewhere it
//! does nothing.

#[cfg(test)]
thread_local! {
    static BETWEEN_TAKE_AND_PUSH: std::cell::RefCell<Option<Box<dyn FnOnce()>>> =
        std::cell::RefCell::new(None);
}

/// Runs the hook set on this thread, once; nothing outside the unit tests.
#[inline]
pub(super) fn between_take_and_push() {
    #[cfg(test)]
    BETWEEN_TAKE_AND_PUSH.with(|hook| hook.borrow_mut().take().map(|hook| hook()));
}

/// Sets what the next push on this thread runs between taking the outbox and pushing.
#[cfg(test)]
pub(super) fn set_between_take_and_push(hook: impl FnOnce() + 'static) {
    BETWEEN_TAKE_AND_PUSH.with(|slot| *slot.borrow_mut() = Some(Box::new(hook)));
}
