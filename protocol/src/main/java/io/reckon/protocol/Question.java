package io.reckon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One question of a run.
 *
 * @param id unique within its data set
 * @param text the question as the model sees it (e.g. {@code 37*4+129-56})
 * @param answer the ground truth, or {@code null} when unknown (then no accuracy is reported)
 * @param level the data set's difficulty level, or {@code null}; never shown to a strategy as a hint
 * @param subject the data set's subject (MATH's {@code Algebra}, ...), or {@code null}; for
 *     reports, never shown to a strategy
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Question(String id, String text, String answer, Integer level, String subject)
    implements CborSerializable {
  public Question {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
  }

  public Question(String id, String text, String answer, Integer level) {
    this(id, text, answer, level, null);
  }
}
