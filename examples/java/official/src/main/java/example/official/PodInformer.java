package example.official;

import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.informer.cache.Lister;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A SharedInformerFactory informer on the pods of its namespace: it lists, then watches, and logs each
 * event as {@code ADDED|MODIFIED|DELETED <name> <phase>}. Once its cache has synced it prints
 * {@code synced: <n> pods} (from its Lister) and runs until SIGTERM. A failed list or watch is printed
 * as the Status the server sent (the reflector retries); without a sync within SYNC_TIMEOUT seconds
 * (default 20) it exits with 1.
 */
public final class PodInformer {
  private PodInformer() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    ApiClient client = InCluster.client();
    String namespace = InCluster.namespace();
    CoreV1Api core = new CoreV1Api(client);
    SharedInformerFactory factory = new SharedInformerFactory(client);
    SharedIndexInformer<V1Pod> informer =
        factory.sharedIndexInformerFor(
            params ->
                core.listNamespacedPod(namespace)
                    .resourceVersion(params.resourceVersion)
                    .watch(params.watch)
                    .timeoutSeconds(params.timeoutSeconds)
                    .buildCall(null),
            V1Pod.class,
            V1PodList.class,
            0,
            (type, thrown) -> {
              if (thrown instanceof ApiException refused) {
                Failure.report(refused);
              } else {
                System.err.println("the informer failed: " + thrown);
              }
            });
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(V1Pod pod) {
            log("ADDED", pod);
          }

          @Override
          public void onUpdate(V1Pod before, V1Pod pod) {
            log("MODIFIED", pod);
          }

          @Override
          public void onDelete(V1Pod pod, boolean finalStateUnknown) {
            log("DELETED", pod);
          }
        });

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  factory.stopAllRegisteredInformers();
                  System.out.println("informer stopped");
                  stopped.countDown();
                }));
    factory.startAllRegisteredInformers();
    long deadline =
        System.nanoTime()
            + Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault("SYNC_TIMEOUT", "20")))
                .toNanos();
    while (!informer.hasSynced()) {
      if (System.nanoTime() > deadline) {
        System.err.println("the pod cache did not sync");
        System.exit(1);
      }
      Thread.sleep(50);
    }
    System.out.println(
        "synced: " + new Lister<>(informer.getIndexer(), namespace).list().size() + " pods");
    stopped.await();
  }

  private static void log(String event, V1Pod pod) {
    System.out.println(event + "\t" + pod.getMetadata().getName() + "\t" + pod.getStatus().getPhase());
  }
}
