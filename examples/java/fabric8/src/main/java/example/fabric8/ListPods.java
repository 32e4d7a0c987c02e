package example.fabric8;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Lists the pods of its own namespace. The client configures itself as in a pod: from
 * KUBERNETES_SERVICE_HOST/_PORT and the service account's token, ca.crt and namespace files (the
 * kubelet's paths, or the ones that fabric8's KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN,
 * KUBERNETES_CERTS_CA_FILE and KUBENAMESPACE variables name).
 */
public final class ListPods {
  private ListPods() {}

  public static void main(String[] args) {
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      String namespace = client.getNamespace();
      for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
        System.out.println(pod.getMetadata().getName() + "\t" + pod.getStatus().getPhase());
      }
    } catch (KubernetesClientException refused) {
      System.exit(Failure.report(refused));
    }
  }
}
