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
 * {@code synced: <n> pods}; it runs until SIGTERM, then stops the informer.
 */
public final class PodInformer {
  private PodInformer() {}

  public static void main(String[] args) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    stopped.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    int exitCode = 0;
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
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
      // run() returns once the first list is in the cache, and throws when that list fails: by
      // default the informer retries only after it has started.
      informer.run();
      System.out.println("synced: " + informer.getStore().list().size() + " pods");
      stop.await();
      informer.stop();
      System.out.println("informer stopped");
    } catch (KubernetesClientException refused) {
      exitCode = Failure.report(refused);
    } finally {
      stopped.countDown();
    }
    // Not from inside the try: System.exit runs the shutdown hook, which waits for `stopped`.
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  private static void log(String event, Pod pod) {
    System.out.println(event + "\t" + pod.getMetadata().getName() + "\t" + pod.getStatus().getPhase());
  }
}
