//! `sandbox`: serve the fake FLock fed-ledger API on loopback.
//!
//! ```text
//! sandbox [--addr 127.0.0.1:18181] [--hub-addr 127.0.0.1:18182] [--storage-addr 127.0.0.1:18183] [--no-cors]
//!         [--fault '{"route":"tasks/list","status":502}']... [--hub '{"multipart_threshold":5242880}']
//! ```
//! The FLock API is served on `--addr`, the fake Hugging Face Hub on `--hub-addr` (another
//! origin, as in real life), and the Hub's storage URLs point at `--storage-addr` (one more origin,
//! as S3 is; default: the Hub's port + 1). Prints `sandbox listening on http://ADDR` once both accept.

use std::net::SocketAddr;
use std::process::ExitCode;

use sandbox::{Config, Fault, HubConfig, Sandbox};

const USAGE: &str =
    "usage: sandbox [--addr HOST:PORT] [--hub-addr HOST:PORT] [--storage-addr HOST:PORT] [--no-cors] [--fault JSON]... [--hub JSON]";

/// What the command line asks for.
struct Args {
    addr: SocketAddr,
    hub_addr: SocketAddr,
    storage_addr: SocketAddr,
    config: Config,
    hub: HubConfig,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut addr: SocketAddr = ([127, 0, 0, 1], 18181).into();
    let mut hub_addr: SocketAddr = ([127, 0, 0, 1], 18182).into();
    let mut storage_addr = None;
    let mut hub = HubConfig::default();
    let mut config = Config::default();
    let mut args = args;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => {
                let value = args.next().ok_or("--addr needs HOST:PORT")?;
                addr = value.parse().map_err(|e| format!("--addr {value}: {e}"))?;
            }
            "--hub-addr" => {
                let value = args.next().ok_or("--hub-addr needs HOST:PORT")?;
                hub_addr = value
                    .parse()
                    .map_err(|e| format!("--hub-addr {value}: {e}"))?;
            }
            "--storage-addr" => {
                let value = args.next().ok_or("--storage-addr needs HOST:PORT")?;
                storage_addr = Some(
                    value
                        .parse()
                        .map_err(|e| format!("--storage-addr {value}: {e}"))?,
                );
            }
            "--hub" => {
                let value = args.next().ok_or("--hub needs a JSON object")?;
                hub = serde_json::from_str(&value).map_err(|e| format!("--hub {value}: {e}"))?;
            }
            "--no-cors" => {
                config.cors = false;
                config.storage_cors = false;
            }
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
    let storage_addr = storage_addr
        .unwrap_or_else(|| SocketAddr::new(hub_addr.ip(), hub_addr.port().wrapping_add(1)));
    Ok(Args {
        addr,
        hub_addr,
        storage_addr,
        config,
        hub,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let Args {
        addr,
        hub_addr,
        storage_addr,
        config,
        hub,
    } = match parse_args(std::env::args().skip(1)) {
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
    let sandbox = Sandbox::new(config);
    sandbox.set_hub_config(hub);
    if let Err(e) = sandbox::spawn_hub(hub_addr, sandbox.clone()).await {
        eprintln!("sandbox: cannot listen on {hub_addr} for the Hub: {e}");
        return ExitCode::FAILURE;
    }
    // The same fake Hub answers there; only the storage URLs it hands out point at it.
    match sandbox::spawn_hub(storage_addr, sandbox.clone()).await {
        Ok(bound) => sandbox.set_storage_origin(&format!("http://{bound}")),
        Err(e) => {
            eprintln!("sandbox: cannot listen on {storage_addr} for storage: {e}");
            return ExitCode::FAILURE;
        }
    }
    println!(
        "sandbox listening on http://{addr} (FLock API), http://{hub_addr} (Hub) and http://{storage_addr} (storage)"
    );
    let served = sandbox.clone();
    let code = tokio::select! {
        result = sandbox::serve(listener, served) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("sandbox: {e}");
                ExitCode::FAILURE
            }
        },
        () = stop_signal() => ExitCode::SUCCESS,
    };
    // The scripts stop the sandbox with SIGTERM: take the Hub's stored objects with it.
    sandbox.remove_hub_storage();
    code
}

/// Resolves on SIGTERM or Ctrl-C.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
