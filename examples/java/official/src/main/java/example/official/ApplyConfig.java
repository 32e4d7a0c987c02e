package example.official;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.PatchUtils;
import java.io.IOException;
import java.util.Map;

/**
 * Server-side apply with PatchUtils and {@code V1Patch.PATCH_FORMAT_APPLY_YAML}: the
 * {@code shop-settings} ConfigMap with the currency of CURRENCY, as the field manager FIELD_MANAGER
 * (default {@code shop-config}), forcing conflicts when FORCE is {@code true}. Prints the currency the
 * server returned.
 *
 * <p>Unlike fabric8's, this client's JSON leaves {@code metadata.managedFields} out both ways unless the
 * system property {@code kubernetes.client.includeManagedFields} is true: the object it returns has none,
 * and that is what keeps its apply bodies valid, since it would otherwise send the empty list its models
 * start with, which kube-apiserver refuses ({@code metadata.managedFields must be nil}).
 */
public final class ApplyConfig {
  private ApplyConfig() {}

  public static void main(String[] args) throws IOException {
    ApiClient client = InCluster.client();
    String namespace = InCluster.namespace();
    String manager = System.getenv().getOrDefault("FIELD_MANAGER", "shop-config");
    boolean force = "true".equals(System.getenv("FORCE"));
    V1ConfigMap desired =
        new V1ConfigMap()
            .apiVersion("v1")
            .kind("ConfigMap")
            .metadata(
                new V1ObjectMeta()
                    .name("shop-settings")
                    .namespace(namespace)
                    .labels(Map.of("app.kubernetes.io/part-of", "shop")))
            .data(Map.of("currency", System.getenv("CURRENCY")));
    CoreV1Api core = new CoreV1Api(client);
    try {
      V1ConfigMap applied =
          PatchUtils.patch(
              V1ConfigMap.class,
              () ->
                  core.patchNamespacedConfigMap(
                          "shop-settings", namespace, new V1Patch(JSON.serialize(desired)))
                      .fieldManager(manager)
                      .force(force)
                      .buildCall(null),
              V1Patch.PATCH_FORMAT_APPLY_YAML,
              client);
      System.out.println("applied shop-settings: currency=" + applied.getData().get("currency"));
    } catch (ApiException refused) {
      System.exit(Failure.report(refused));
    }
  }
}
