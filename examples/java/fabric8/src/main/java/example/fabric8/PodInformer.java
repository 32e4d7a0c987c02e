package example.fabric8;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.concurrent.CountDownLatch;

/**
 * A SharedIndexInformer on the pods of its namespace: it lists, then watches, and logs each event as
 * {@code ADDED|MODIFIED|DELETED <name> <phase>}. Once its cache has synced it prints
 * {@code synced: <n> pods}; it runs until SIGTERM, which stops the informer.
 */
public final class PodInformer {
  private PodInformer() {}

  public static void main(String[] args) throws InterruptedException {
    KubernetesClient client = new KubernetesClientBuilder().build();
    SharedIndexInformer<Pod> informer =
        client.pods().inNamespace(client.getNamespace()).runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            log("ADDED", pod);
          }

          @Override
          public void onUpdate(Pod before, Pod pod) {
            log("MODIFIED", pod);
          }

          @Override
          public void onDelete(Pod pod, boolean finalStateUnknown) {
            log("DELETED", pod);
          }
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  informer.stop();
                  client.close();
                  System.out.println("informer stopped");
                }));
    try {
      // run() returns once the first list is in the cache, and throws when that list fails: by
      // default the informer retries only after it has started.
      informer.run();
    } catch (KubernetesClientException refused) {
      System.exit(Failure.report(refused));
    }
    System.out.println("synced: " + informer.getStore().list().size() + " pods");
    new CountDownLatch(1).await();
  }

  private static void log(String event, Pod pod) {
    System.out.println(event + "\t" + pod.getMetadata().getName() + "\t" + pod.getStatus().getPhase());
  }
}
