//! Timeouts, intervals and limits of a registry, with documented defaults.

use std::time::Duration;

/// How a [`Registry`](crate::Registry) times closes, heartbeats and sweeps, and what it
/// admits. Start from [`ConnConfig::default`] and change fields. A duration of
/// `Duration::MAX` means "never" (capped to [`ws_core::FAR_FUTURE`], it cannot overflow).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConnConfig {
    /// How long a close handshake may take before the connection is `Failed`; also how
    /// long a connection may sit in `Closing` before the sweeper forces it. Default 5 s.
    pub close_timeout: Duration,
    /// How often every `Active` connection is pinged. Default 20 s: below the 30-60 s idle
    /// timeouts of common proxies and load balancers.
    pub heartbeat_interval: Duration,
    /// How long an `Active` connection may stay silent (no frame, no pong) before it is a
    /// ghost. Default 60 s: three missed heartbeats.
    pub idle_timeout: Duration,
    /// How often the background sweeper runs. Default 5 s.
    pub sweep_interval: Duration,
    /// What the registry admits.
    pub limits: Limits,
    /// Capacity of the event channel; a slower subscriber sees `Lagged`. Default 1 024.
    pub event_capacity: usize,
}

impl Default for ConnConfig {
    fn default() -> Self {
        ConnConfig {
            close_timeout: Duration::from_secs(5),
            heartbeat_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            sweep_interval: Duration::from_secs(5),
            event_capacity: 1_024,
            limits: Limits::default(),
        }
    }
}

/// What a registry admits: a ceiling, an accept-rate guard against reconnect storms, the
/// same two per client address, and what the HTTP upgrade before it must pass (a timeout,
/// a limit, the browser's origin).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Limits {
    /// The most connections held at once; beyond it new ones are refused. Default 10 000.
    pub max_connections: usize,
    /// Accept-rate guard: the burst admitted at once. Default 1 000.
    pub accept_burst: u32,
    /// Accept-rate guard: admissions per second, sustained. Default 500 (10 000 clients
    /// reconnect in about 20 s).
    pub accept_per_second: u32,
    /// The close code a refused connection gets. Default 1013 (try again later).
    pub refusal_code: crate::CloseCode,
    /// The HTTP upgrade: its timeout (default 10 s) and how many run at once (default
    /// 1 024), enforced by [`Registry::handshakes`](crate::Registry::handshakes).
    pub handshake: crate::HandshakeLimits,
    /// Which browser origins an upgrade admits. Default [`OriginPolicy::SameHost`](crate::OriginPolicy::SameHost).
    pub origins: crate::OriginPolicy,
    /// What one client address may hold and open, checked by
    /// [`Registry::admit_from`](crate::Registry::admit_from) before the global limits:
    /// 64 connections, 40 at once and 20 per second (see [`AddressLimits`](crate::AddressLimits)).
    pub per_address: crate::AddressLimits,
}

impl Limits {
    /// The defaults, each documented on its field.
    const DEFAULT: Limits = Limits {
        max_connections: 10_000,
        accept_burst: 1_000,
        accept_per_second: 500,
        refusal_code: crate::CloseCode::TRY_AGAIN_LATER,
        handshake: crate::HandshakeLimits::DEFAULT,
        origins: crate::OriginPolicy::SameHost,
        per_address: crate::AddressLimits::DEFAULT,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
