package example.official;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Status;

/** How the examples report what the API server refused: the Status body of its answer. */
final class Failure {
  private Failure() {}

  /**
   * Prints {@code error <code> <reason>: <message>} from the Status body of the refusal (ApiException
   * keeps the body as text; the client's own JSON decodes it), and returns the exit code, 1.
   */
  static int report(ApiException refused) {
    V1Status status = JSON.deserialize(refused.getResponseBody(), V1Status.class);
    System.err.printf(
        "error %d %s: %s%n", refused.getCode(), status.getReason(), status.getMessage());
    return 1;
  }
}
