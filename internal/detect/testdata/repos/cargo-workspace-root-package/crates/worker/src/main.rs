#[tokio::main]
async fn main() {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}
