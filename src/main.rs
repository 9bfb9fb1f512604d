fn main() {
    println!("mynacard {}", env!("CARGO_PKG_VERSION"));
}
