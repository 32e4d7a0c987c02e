package example.fabric8;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.stream.Collectors;

/**
 * Server-side apply: the {@code shop-settings} ConfigMap with the currency of CURRENCY, as the field
 * manager FIELD_MANAGER (default {@code shop-config}), forcing conflicts when FORCE is {@code true}.
 * Prints what the server returned: the currency and the managers of the object's fields.
 */
public final class ApplyConfig {
  private ApplyConfig() {}

  public static void main(String[] args) {
    String manager = System.getenv().getOrDefault("FIELD_MANAGER", "shop-config");
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      ConfigMap desired =
          new ConfigMapBuilder()
              .withNewMetadata()
              .withName("shop-settings")
              .withNamespace(client.getNamespace())
              .addToLabels("app.kubernetes.io/part-of", "shop")
              .endMetadata()
              .addToData("currency", System.getenv("CURRENCY"))
              .build();
      Resource<ConfigMap> resource = client.configMaps().resource(desired);
      ConfigMap applied =
          "true".equals(System.getenv("FORCE"))
              ? resource.fieldManager(manager).forceConflicts().serverSideApply()
              : resource.fieldManager(manager).serverSideApply();
      System.out.println(
          "applied shop-settings: currency=" + applied.getData().get("currency"));
      System.out.println(
          "managers: "
              + applied.getMetadata().getManagedFields().stream()
                  .map(ApplyConfig::describe)
                  .sorted()
                  .collect(Collectors.joining(", ")));
    } catch (KubernetesClientException refused) {
      System.exit(Failure.report(refused));
    }
  }

  private static String describe(ManagedFieldsEntry entry) {
    return entry.getManager() + " (" + entry.getOperation() + ")";
  }
}
