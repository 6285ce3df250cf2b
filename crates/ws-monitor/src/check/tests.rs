//! Unit tests of the check adapters: closures, and shared or boxed checks delegating.

use super::*;

#[tokio::test]
async fn closures_answer_through_the_trait() {
    let sync = from_fn(|| Ok("sync".to_owned()));
    let asynchronous = from_async_fn(|| async { Err(CheckError::from("async down".to_owned())) });
    assert_eq!(sync.check().await.unwrap(), "sync");
    assert_eq!(asynchronous.check().await.unwrap_err().message(), "async down");
}

#[tokio::test]
async fn shared_and_boxed_checks_delegate() {
    let shared: Arc<dyn HealthCheck> = Arc::new(from_fn(|| Ok("shared".to_owned())));
    let boxed: Box<dyn HealthCheck> = Box::new(from_fn(|| Err(CheckError::new("boxed"))));
    assert_eq!(Arc::clone(&shared).check().await.unwrap(), "shared");
    assert_eq!(boxed.check().await.unwrap_err().to_string(), "boxed");
}
