package io.reckon.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Work a search strategy asks a model for. Many of them, from many questions, share a batch. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = GenerateRequest.class, name = "generate"),
  @JsonSubTypes.Type(value = ScoreRequest.class, name = "score")
})
public sealed interface ModelRequest extends CborSerializable permits GenerateRequest, ScoreRequest {
  /** Unique among the requests of one question. */
  long requestId();

  String questionId();
}
