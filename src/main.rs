use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = postnl_robot::cli::Cli::parse();
    match postnl_robot::app::main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A run's failure, interruption or missing browser was shown once by its progress
            // summary already.
            if !e.shown_by_run() {
                eprintln!("{e}");
            }
            e.exit_code()
        }
    }
}
