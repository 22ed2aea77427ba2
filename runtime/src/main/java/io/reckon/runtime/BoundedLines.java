package io.reckon.runtime;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a UTF-8 text file, read with a bound on each line's length and decoded strictly,
 * so that a file without line breaks ({@code /dev/zero}) or with invalid bytes is refused with
 * its name, the line and the problem instead of filling the heap or being misread. Reads devices
 * and pipes as well as regular files.
 */
public final class BoundedLines implements AutoCloseable {
  /** A line that cannot be read: too long or not UTF-8. The message is one line for users. */
  public static final class BadLineException extends RuntimeException {
    public BadLineException(String message) {
      super(message);
    }
  }

  private final Path file;
  private final InputStream in;
  private final int maxLineBytes;
  private final String setting;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private byte[] buffer = new byte[256];
  private int number;

  /**
   * @param setting the configuration key that raises {@code maxLineBytes}, for the message
   * @throws IOException when the file cannot be opened (see {@link Files#newInputStream})
   */
  public BoundedLines(Path file, int maxLineBytes, String setting) throws IOException {
    this.file = file;
    this.maxLineBytes = maxLineBytes;
    this.setting = setting;
    this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
  }

  /** The number of the line {@link #next} returned last (1-based). */
  public int number() {
    return number;
  }

  /** The next line without its line break ({@code \n} or {@code \r\n}), or null at the end. */
  public String next() throws IOException {
    int length = 0;
    int b = in.read();
    if (b < 0) {
      return null;
    }
    number++;
    while (b >= 0 && b != '\n') {
      if (length == maxLineBytes) {
        throw new BadLineException(file + ":" + number + ": line longer than " + maxLineBytes
            + " bytes (is it a text file with one JSON object a line? the limit is " + setting + ")");
      }
      if (length == buffer.length) {
        buffer = java.util.Arrays.copyOf(buffer, (int) Math.min((long) maxLineBytes, 2L * length));
      }
      buffer[length++] = (byte) b;
      b = in.read();
    }
    if (length > 0 && buffer[length - 1] == '\r') {
      length--;
    }
    if (number == 1 && length >= 3 && (buffer[0] & 0xff) == 0xEF && (buffer[1] & 0xff) == 0xBB
        && (buffer[2] & 0xff) == 0xBF) {
      return decode(3, length - 3); // a UTF-8 byte-order mark is not part of the text
    }
    return decode(0, length);
  }

  private String decode(int offset, int length) {
    ByteBuffer bytes = ByteBuffer.wrap(buffer, offset, length);
    CharBuffer chars = CharBuffer.allocate(length);
    utf8.reset();
    CoderResult result = utf8.decode(bytes, chars, true);
    if (!result.isError()) {
      result = utf8.flush(chars);
    }
    if (result.isError()) {
      throw new BadLineException(file + ":" + number + ": not valid UTF-8 (a malformed byte "
          + "sequence at byte " + (bytes.position() - offset + 1) + " of the line): save the file "
          + "as UTF-8");
    }
    return chars.flip().toString();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
