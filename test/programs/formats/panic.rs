// A Rust panic with a backtrace (RUST_BACKTRACE=1).
mod shapes {
    pub struct Grid { pub cells: Vec<u32> }
    impl Grid {
        #[inline(never)]
        pub fn cell(&self, i: usize) -> u32 { self.cells[i] }
    }
    #[inline(never)]
    pub fn total(g: &Grid, n: usize) -> u32 { (0..n).map(|i| g.cell(i)).sum() }
}

fn main() {
    let g = shapes::Grid { cells: vec![1, 2, 3] };
    let n = std::env::args().count() + 3;
    println!("{}", shapes::total(&g, n));
}
