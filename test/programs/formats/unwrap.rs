// A Rust panic from Option::unwrap in a named thread.
#[inline(never)]
fn lookup(key: &str) -> Option<u32> { if key == "a" { Some(1) } else { None } }

#[inline(never)]
fn load(key: &str) -> u32 { lookup(key).unwrap() }

fn main() {
    let h = std::thread::Builder::new().name("loader".into()).spawn(|| load("b")).unwrap();
    let _ = h.join();
}
