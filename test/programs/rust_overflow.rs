// Unbounded recursion: Rust's guard page handler prints "has overflowed its stack" and aborts.
fn depth(n: u64, buf: &mut [u8; 4096]) -> u64 {
    let mut local = [0u8; 4096];
    local[0] = buf[(n % 4096) as usize];
    depth(n + 1, &mut local) + local[1] as u64
}
fn main() {
    let mut b = [0u8; 4096];
    println!("{}", depth(0, &mut b));
}
