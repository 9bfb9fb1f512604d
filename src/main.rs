use clap::Parser;

fn main() {
    let cli = mynacard::cli::Cli::parse();
    std::process::exit(mynacard::cli::run(cli));
}
