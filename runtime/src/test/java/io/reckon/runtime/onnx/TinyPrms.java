package io.reckon.runtime.onnx;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Two exports of one tiny random-weight PRM (1 layer, 4,101 parameters; made by
 * models/tools/export_onnx.py from a seeded checkpoint): the older full-sequence layout and the
 * decoder-with-past layout, to test that both score the same.
 */
final class TinyPrms {
  static final Path FULL = resource("tiny-prm-full");
  static final Path WITH_PAST = resource("tiny-prm-with-past");

  private TinyPrms() {}

  private static Path resource(String name) {
    try {
      return Path.of(TinyPrms.class.getClassLoader().getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
