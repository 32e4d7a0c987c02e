//! Lists the pods of its own namespace with `Api::list`. Its Role: pods list.

use k8s_openapi::api::core::v1::Pod;
use kube::{Api, api::ListParams};
use rust_examples::{describe, in_cluster_client};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (client, namespace) = in_cluster_client().unwrap_or_else(|error| {
        eprintln!("{error}");
        std::process::exit(1);
    });
    let pods: Api<Pod> = Api::namespaced(client, &namespace);
    match pods.list(&ListParams::default()).await {
        Ok(list) => {
            for pod in list {
                let phase = pod.status.and_then(|status| status.phase).unwrap_or_default();
                println!("{}\t{}", pod.metadata.name.unwrap_or_default(), phase);
            }
        }
        Err(error) => {
            eprintln!("{}", describe(&error));
            std::process::exit(1);
        }
    }
}
