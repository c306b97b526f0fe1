// A Rust panic with RUST_BACKTRACE=1: an Option unwrapped on None two calls down.
fn find_port(config: &str) -> Option<u16> {
    config.strip_prefix("port=").and_then(|p| p.parse().ok())
}

fn start_server(config: &str) -> u16 {
    find_port(config).unwrap()
}

fn main() {
    println!("{}", start_server("host=example"));
}
