//! [`Hooks`]: the application's callbacks a server or client runs besides the data path.

/// Callbacks run on session events. Empty without the `sync` feature.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Hooks {
    /// The application's state callbacks, run on every session open and resume; a failure
    /// is a `SyncFailed` event and a metric (feature `sync`).
    #[cfg(feature = "sync")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
    pub sync: Option<ws_sync::Synchronizer<crate::SessionSync>>,
}
