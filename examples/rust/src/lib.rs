//! What the example programs share: the in-cluster client, and errors printed as the server sent them.

use kube::{Client, Config};

/// A client configured as in a pod: `Config::incluster()` reads `KUBERNETES_SERVICE_HOST` and
/// `KUBERNETES_SERVICE_PORT`, and the service account's `token`, `ca.crt` and `namespace` at the fixed path
/// `/var/run/secrets/kubernetes.io/serviceaccount/` (there is no way to give it another directory).
/// Returns the client and the pod's namespace.
pub fn in_cluster_client() -> Result<(Client, String), Box<dyn std::error::Error>> {
    let config = Config::incluster()?;
    let namespace = config.default_namespace.clone();
    Ok((Client::try_from(config)?, namespace))
}

/// An API error as `CODE REASON: MESSAGE` from the server's Status; any other error as kube words it.
pub fn describe(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) => format!("{} {}: {}", status.code, status.reason, status.message),
        other => other.to_string(),
    }
}

/// A watcher's error as `describe` words the API error inside it.
pub fn describe_watch(error: &kube::runtime::watcher::Error) -> String {
    use kube::runtime::watcher::Error;
    match error {
        Error::InitialListFailed(error) => format!("initial list failed: {}", describe(error)),
        Error::WatchStartFailed(error) => format!("watch failed to start: {}", describe(error)),
        Error::WatchFailed(error) => format!("watch failed: {}", describe(error)),
        Error::WatchError(status) => {
            format!(
                "watch error: {} {}: {}",
                status.code, status.reason, status.message
            )
        }
        other => other.to_string(),
    }
}
