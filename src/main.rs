use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = postnl_robot::cli::Cli::parse();
    match postnl_robot::app::main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !matches!(e, postnl_robot::error::CliError::Interrupted) {
                eprintln!("{e}");
            }
            e.exit_code()
        }
    }
}
