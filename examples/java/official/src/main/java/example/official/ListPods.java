package example.official;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.IOException;

/** Lists the pods of its own namespace with the typed CoreV1Api. */
public final class ListPods {
  private ListPods() {}

  public static void main(String[] args) throws IOException {
    ApiClient client = InCluster.client();
    try {
      for (V1Pod pod : new CoreV1Api(client).listNamespacedPod(InCluster.namespace()).execute().getItems()) {
        System.out.println(pod.getMetadata().getName() + "\t" + pod.getStatus().getPhase());
      }
    } catch (ApiException refused) {
      System.exit(Failure.report(refused));
    }
  }
}
