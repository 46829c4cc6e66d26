//! `sandbox`: serve the fake FLock fed-ledger API on loopback.
//!
//! ```text
//! sandbox [--addr 127.0.0.1:18181] [--no-cors] [--fault '{"route":"tasks/list","status":502}']...
//! ```
//! Prints `sandbox listening on http://ADDR` once it accepts connections.

use std::net::SocketAddr;
use std::process::ExitCode;

use sandbox::{Config, Fault, Sandbox};

const USAGE: &str = "usage: sandbox [--addr HOST:PORT] [--no-cors] [--fault JSON]...";

fn parse_args(args: impl Iterator<Item = String>) -> Result<(SocketAddr, Config), String> {
    let mut addr: SocketAddr = ([127, 0, 0, 1], 18181).into();
    let mut config = Config::default();
    let mut args = args;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => {
                let value = args.next().ok_or("--addr needs HOST:PORT")?;
                addr = value.parse().map_err(|e| format!("--addr {value}: {e}"))?;
            }
            "--no-cors" => config.cors = false,
            "--fault" => {
                let value = args.next().ok_or("--fault needs a JSON object")?;
                let fault: Fault =
                    serde_json::from_str(&value).map_err(|e| format!("--fault {value}: {e}"))?;
                config.faults.push(fault);
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok((addr, config))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (addr, config) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("sandbox: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("sandbox listening on http://{addr}");
    match sandbox::serve(listener, Sandbox::new(config)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}
