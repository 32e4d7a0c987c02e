//! Watches the pods of its own namespace with `kube::runtime::watcher`, printing each event, until SIGTERM
//! or until the pod named by `UNTIL` is deleted. With `STREAMING_LIST=1` the initial state comes from a
//! watch with `sendInitialEvents=true` (`watcher::Config::streaming_lists`) instead of a list. With
//! `METADATA=1` it watches `PartialObjectMeta<Pod>` (metadata only): the server sends PartialObjectMetadata,
//! whose kind it prints in place of the phase. Its Role: pods list, watch (only watch with `STREAMING_LIST=1`).

use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::{
    Api, ResourceExt,
    core::PartialObjectMeta,
    runtime::{WatchStreamExt, watcher, watcher::Event},
};
use rust_examples::{describe_watch, in_cluster_client};
use tokio::signal::unix::{SignalKind, signal};

/// What is printed after an object's name: its phase, or for a metadata watcher the kind it came as.
trait Detail: ResourceExt {
    fn detail(&self) -> String;
}

impl Detail for Pod {
    fn detail(&self) -> String {
        let phase = self.status.as_ref().and_then(|status| status.phase.as_deref());
        phase.unwrap_or("").to_owned()
    }
}

impl Detail for PartialObjectMeta<Pod> {
    fn detail(&self) -> String {
        self.types
            .as_ref()
            .map(|types| types.kind.clone())
            .unwrap_or_default()
    }
}

/// Prints the events until SIGTERM, the end of the stream, or the deletion of the object named `until`.
async fn print_events<K: Detail>(
    events: impl Stream<Item = watcher::Result<Event<K>>>,
    until: Option<String>,
) {
    let mut events = std::pin::pin!(events);
    let mut terminate = signal(SignalKind::terminate()).expect("a SIGTERM handler");
    loop {
        let event = tokio::select! {
            _ = terminate.recv() => break,
            event = events.next() => event,
        };
        match event {
            None => break,
            Some(Ok(Event::Init)) => println!("INIT"),
            Some(Ok(Event::InitApply(obj))) => println!("INIT_APPLY\t{}\t{}", obj.name_any(), obj.detail()),
            Some(Ok(Event::InitDone)) => println!("INIT_DONE"),
            Some(Ok(Event::Apply(obj))) => println!("APPLY\t{}\t{}", obj.name_any(), obj.detail()),
            Some(Ok(Event::Delete(obj))) => {
                println!("DELETE\t{}", obj.name_any());
                if until.as_deref() == Some(obj.name_any().as_str()) {
                    break;
                }
            }
            // The watcher retries after an error (with the default backoff); each error is printed.
            Some(Err(error)) => eprintln!("{}", describe_watch(&error)),
        }
    }
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
    println!("watching pods in {namespace}");
    if std::env::var("METADATA").as_deref() == Ok("1") {
        // An Api of PartialObjectMeta asks for metadata only (kube 5's replacement of `metadata_watcher`).
        let pods: Api<PartialObjectMeta<Pod>> = Api::namespaced(client, &namespace);
        print_events(watcher(pods, config).default_backoff(), until).await;
    } else {
        let pods: Api<Pod> = Api::namespaced(client, &namespace);
        print_events(watcher(pods, config).default_backoff(), until).await;
    }
}
