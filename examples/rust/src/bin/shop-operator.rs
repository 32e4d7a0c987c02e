//! An operator built on `kube::runtime::Controller`: for each `shop.example.com/v1` Storefront of its
//! namespace it keeps a ConfigMap `NAME-storefront` with the Storefront's spec, owned by it (server-side
//! apply), and records the ConfigMap and the generation it saw in the Storefront's status. A finalizer
//! (`kube::runtime::finalizer`, JSON patches) lets it see each deletion before the Storefront goes. It runs
//! until SIGTERM. Its Role: storefronts list, watch, patch; storefronts/status patch; configmaps list, watch,
//! patch.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::{
    Api, Client, CustomResource, Resource, ResourceExt,
    api::{ObjectMeta, Patch, PatchParams},
    runtime::{
        Controller,
        controller::{Action, Error as ControllerError},
        finalizer::{Error as FinalizerError, Event as FinalizerEvent, finalizer},
        watcher,
    },
};
use rust_examples::{describe, describe_watch, in_cluster_client};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The custom resource of examples/fixtures/storefront-crd.yaml.
#[derive(CustomResource, Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[kube(
    group = "shop.example.com",
    version = "v1",
    kind = "Storefront",
    namespaced,
    status = "StorefrontStatus"
)]
pub struct StorefrontSpec {
    pub currency: Option<String>,
    pub greeting: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorefrontStatus {
    pub config_map: Option<String>,
    pub observed_generation: Option<i64>,
}

/// The field manager of every apply.
const MANAGER: &str = "shop-operator";

/// The finalizer that holds a deleted Storefront until the operator has seen it go.
const FINALIZER: &str = "shop.example.com/cleanup";

#[derive(Debug)]
struct Failure(String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

impl From<kube::Error> for Failure {
    fn from(error: kube::Error) -> Self {
        Failure(describe(&error))
    }
}

/// Adds the finalizer first (a JSON patch), then applies; on deletion, cleans up and removes the finalizer.
async fn reconcile(
    storefront: Arc<Storefront>,
    client: Arc<Client>,
) -> Result<Action, FinalizerError<Failure>> {
    let namespace = storefront.namespace().unwrap_or_default();
    let storefronts: Api<Storefront> = Api::namespaced((*client).clone(), &namespace);
    finalizer(&storefronts, FINALIZER, storefront, |event| async {
        match event {
            FinalizerEvent::Apply(storefront) => apply(storefront, client.clone()).await,
            FinalizerEvent::Cleanup(storefront) => {
                // The ConfigMap goes with it: the garbage collector follows its ownerReference.
                println!("storefront {namespace}/{} cleaned up", storefront.name_any());
                Ok(Action::await_change())
            }
        }
    })
    .await
}

/// Applies the Storefront's ConfigMap, then its status.
async fn apply(storefront: Arc<Storefront>, client: Arc<Client>) -> Result<Action, Failure> {
    let namespace = storefront.namespace().unwrap_or_default();
    let name = storefront.name_any();
    let config_map_name = format!("{name}-storefront");
    let mut data = BTreeMap::new();
    if let Some(currency) = &storefront.spec.currency {
        data.insert("currency".to_owned(), currency.clone());
    }
    if let Some(greeting) = &storefront.spec.greeting {
        data.insert("greeting".to_owned(), greeting.clone());
    }
    let owner = storefront
        .controller_owner_ref(&())
        .expect("a stored Storefront has a uid");
    let config_map = ConfigMap {
        metadata: ObjectMeta {
            name: Some(config_map_name.clone()),
            owner_references: Some(vec![owner]),
            ..ObjectMeta::default()
        },
        data: Some(data),
        ..ConfigMap::default()
    };
    let apply = PatchParams::apply(MANAGER).force();
    let config_maps: Api<ConfigMap> = Api::namespaced((*client).clone(), &namespace);
    // Server-side apply wants apiVersion and kind in the body, which the typed struct leaves out.
    let mut body = serde_json::to_value(&config_map).expect("a ConfigMap serializes");
    body["apiVersion"] = json!("v1");
    body["kind"] = json!("ConfigMap");
    config_maps
        .patch(&config_map_name, &apply, &Patch::Apply(body))
        .await?;
    println!("configmap {namespace}/{config_map_name} applied");

    let generation = storefront.meta().generation;
    let storefronts: Api<Storefront> = Api::namespaced((*client).clone(), &namespace);
    let status = json!({
        "apiVersion": "shop.example.com/v1",
        "kind": "Storefront",
        "status": { "configMap": config_map_name, "observedGeneration": generation },
    });
    storefronts
        .patch_status(&name, &apply, &Patch::Apply(status))
        .await?;
    println!(
        "storefront {namespace}/{name} status applied (generation {})",
        generation.unwrap_or(0)
    );
    Ok(Action::await_change())
}

fn error_policy(
    storefront: Arc<Storefront>,
    error: &FinalizerError<Failure>,
    _client: Arc<Client>,
) -> Action {
    let error = match error {
        FinalizerError::ApplyFailed(failure) | FinalizerError::CleanupFailed(failure) => failure.to_string(),
        FinalizerError::AddFinalizer(error) => format!("adding the finalizer: {}", describe(error)),
        FinalizerError::RemoveFinalizer(error) => format!("removing the finalizer: {}", describe(error)),
        other => other.to_string(),
    };
    eprintln!(
        "reconcile of storefront {} failed: {error}",
        storefront.name_any()
    );
    Action::requeue(Duration::from_secs(1))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (client, namespace) = in_cluster_client().unwrap_or_else(|error| {
        eprintln!("{error}");
        std::process::exit(1);
    });
    let storefronts: Api<Storefront> = Api::namespaced(client.clone(), &namespace);
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), &namespace);
    println!("starting in namespace {namespace}");
    Controller::new(storefronts, watcher::Config::default())
        .owns(config_maps, watcher::Config::default())
        .shutdown_on_signal()
        .run(reconcile, error_policy, Arc::new(client))
        .for_each(|result| async move {
            match result {
                Ok(_) => {}
                // The watchers retry with a backoff; each failure is printed.
                Err(ControllerError::QueueError(error)) => eprintln!("{}", describe_watch(&error)),
                Err(ControllerError::ReconcilerFailed(..)) => {} // printed by error_policy
                // A change of an owned ConfigMap after its Storefront is gone (the garbage collector
                // deleting it): expected, as kube-runtime documents.
                Err(ControllerError::ObjectNotFound(_)) => {}
                Err(other) => eprintln!("{other}"),
            }
        })
        .await;
    println!("stopped");
}
