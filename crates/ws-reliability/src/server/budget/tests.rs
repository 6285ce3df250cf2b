use crate::server::{ReliableServer, ServerConfig};

#[test]
fn the_default_budget_bounds_sessions_and_bytes() {
    let budget = ServerConfig::default().budget;
    assert_eq!(budget.max_sessions, 10_000);
    assert_eq!(budget.max_outbox_bytes, 256 * 1024 * 1024);
}

#[tokio::test]
async fn a_server_without_sessions_holds_no_outbox_bytes() {
    let server = ReliableServer::new(ServerConfig::default());
    assert_eq!(server.outbox_bytes(), 0);
}
