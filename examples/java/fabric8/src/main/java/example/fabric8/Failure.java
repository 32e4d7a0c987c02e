package example.fabric8;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** How the examples report what the API server refused: the Status it sent, as the client decoded it. */
final class Failure {
  private Failure() {}

  /**
   * Prints {@code error <code> <reason>: <message>} from the Status in the cause chain (the client wraps
   * it in CompletionExceptions when it comes from an informer), and returns the exit code, 1. Anything
   * else is not a refusal by the server: it is rethrown.
   */
  static int report(Throwable thrown) {
    for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
      if (cause instanceof KubernetesClientException refused && refused.getStatus() != null) {
        Status status = refused.getStatus();
        System.err.printf(
            "error %d %s: %s%n", status.getCode(), status.getReason(), status.getMessage());
        return 1;
      }
    }
    throw thrown instanceof RuntimeException unchecked ? unchecked : new IllegalStateException(thrown);
  }
}
