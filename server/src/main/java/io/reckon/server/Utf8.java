package io.reckon.server;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: overlong forms, surrogates and truncated sequences are refused, not repaired. */
final class Utf8 {
  private Utf8() {}

  /** Why {@code bytes} is not strict UTF-8, or {@code null} when it is. */
  static String malformed(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      if (b < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return null;
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      decoder.decode(in);
      return null;
    } catch (MalformedInputException e) {
      return "a malformed byte sequence at byte " + in.position() + " (overlong, surrogate or "
          + "truncated encodings are refused)";
    } catch (CharacterCodingException e) {
      return "an undecodable byte sequence at byte " + in.position();
    }
  }
}
