//! The in-memory backend against the conformance suite.

mod conformance;

#[tokio::test]
async fn memory_store_passes_the_conformance_suite() -> Result<(), ws_store::StoreError> {
    conformance::run_all(&ws_store::MemoryStore::new()?).await
}
