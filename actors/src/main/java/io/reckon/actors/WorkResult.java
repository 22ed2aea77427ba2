package io.reckon.actors;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.ModelReply;

/**
 * A model worker's answer to one {@link ModelWorker.Work}. Not a {@code StatusReply}: a failed
 * batch must tell each requester which of its requests failed, and the requester keeps its own
 * timeouts instead of one ask per request. Typed by name: a {@link WorkerLink.Results} carries
 * both kinds in one list.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = WorkResult.Done.class, name = "done"),
  @JsonSubTypes.Type(value = WorkResult.Failed.class, name = "failed")
})
public sealed interface WorkResult extends CborSerializable {
  long requestId();

  /** Which send of the request this answers (the requester ignores failures of stale sends). */
  int attempt();

  /** The model's reply, and the size of the batch it came from. */
  record Done(ModelReply reply, int attempt, String worker, int batchSize) implements WorkResult {
    @Override
    public long requestId() {
      return reply.requestId();
    }
  }

  /** The request was not answered: its batch threw, or the worker could not take it. */
  record Failed(long requestId, int attempt, String worker, String reason) implements WorkResult {}
}
