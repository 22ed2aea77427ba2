package io.reckon.protocol.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /v1/models}. */
public record ModelList(String object, List<Model> data) {

  public record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {}
}
