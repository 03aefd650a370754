use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = postnl_robot::cli::Cli::parse();
    match postnl_robot::app::main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}
