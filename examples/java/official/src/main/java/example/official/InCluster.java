package example.official;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.credentials.TokenFileAuthentication;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The examples' in-cluster configuration. In a pod, {@code ClientBuilder.cluster()}, which reads the
 * kubelet's fixed directory; with SA_DIR set (a directory that fake-apiserver wrote), the same client
 * built from that directory, as {@code ClientBuilder.cluster()} builds it.
 */
final class InCluster {
  /** Where the kubelet mounts the service account's token, ca.crt and namespace. */
  static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

  private InCluster() {}

  /** The client, configured from the service account's directory and KUBERNETES_SERVICE_HOST/_PORT. */
  static ApiClient client() throws IOException {
    String dir = System.getenv("SA_DIR");
    if (dir == null || dir.isEmpty()) {
      return ClientBuilder.cluster().build();
    }
    String host = System.getenv("KUBERNETES_SERVICE_HOST");
    String port = System.getenv("KUBERNETES_SERVICE_PORT");
    return new ClientBuilder()
        .setBasePath(basePath(host, port))
        .setCertificateAuthority(Files.readAllBytes(Path.of(dir, "ca.crt")))
        // Re-read once a minute, as in ClientBuilder.cluster(): a rotated token is picked up.
        .setAuthentication(new TokenFileAuthentication(Path.of(dir, "token").toString()))
        .build();
  }

  /** The pod's namespace, from the service account's directory. */
  static String namespace() throws IOException {
    String dir = System.getenv().getOrDefault("SA_DIR", SERVICE_ACCOUNT_DIR);
    return Files.readString(Path.of(dir, "namespace"), StandardCharsets.UTF_8).trim();
  }

  /** ClientBuilder.setBasePath(host, port), which is protected: an IPv6 host is bracketed. */
  private static String basePath(String host, String port) {
    try {
      return new URI("https", null, host, Integer.parseInt(port), null, null, null).toString();
    } catch (NumberFormatException | URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
