package io.reckon.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A model's answer to one {@link ModelRequest}, with the compute it took. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = GenerateReply.class, name = "generate"),
  @JsonSubTypes.Type(value = ScoreReply.class, name = "score")
})
public sealed interface ModelReply extends CborSerializable permits GenerateReply, ScoreReply {
  long requestId();

  /** Floating-point operations spent on this request: 2 · parameters · processed tokens. */
  double flops();
}
