//! Watches the pods of its own namespace with `kube::runtime::watcher`, printing each event, until SIGTERM
//! or until the pod named by `UNTIL` is deleted. With `STREAMING_LIST=1` the initial state comes from a
//! watch with `sendInitialEvents=true` (`watcher::Config::streaming_lists`) instead of a list.
//! Its Role: pods list, watch (only watch with `STREAMING_LIST=1`).

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::{
    Api, ResourceExt,
    runtime::{WatchStreamExt, watcher, watcher::Event},
};
use rust_examples::{describe_watch, in_cluster_client};
use tokio::signal::unix::{SignalKind, signal};

fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|status| status.phase.as_deref())
        .unwrap_or("")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (client, namespace) = in_cluster_client().unwrap_or_else(|error| {
        eprintln!("{error}");
        std::process::exit(1);
    });
    let until = std::env::var("UNTIL").ok();
    let mut config = watcher::Config::default();
    if std::env::var("STREAMING_LIST").as_deref() == Ok("1") {
        config = config.streaming_lists();
    }
    let pods: Api<Pod> = Api::namespaced(client, &namespace);
    let mut events = watcher(pods, config).default_backoff().boxed();
    let mut terminate = signal(SignalKind::terminate()).expect("a SIGTERM handler");
    println!("watching pods in {namespace}");
    loop {
        let event = tokio::select! {
            _ = terminate.recv() => break,
            event = events.next() => event,
        };
        match event {
            None => break,
            Some(Ok(Event::Init)) => println!("INIT"),
            Some(Ok(Event::InitApply(pod))) => println!("INIT_APPLY\t{}\t{}", pod.name_any(), phase(&pod)),
            Some(Ok(Event::InitDone)) => println!("INIT_DONE"),
            Some(Ok(Event::Apply(pod))) => println!("APPLY\t{}\t{}", pod.name_any(), phase(&pod)),
            Some(Ok(Event::Delete(pod))) => {
                println!("DELETE\t{}", pod.name_any());
                if until.as_deref() == Some(pod.name_any().as_str()) {
                    break;
                }
            }
            // The watcher retries after an error (with the default backoff); each error is printed.
            Some(Err(error)) => eprintln!("{}", describe_watch(&error)),
        }
    }
}
