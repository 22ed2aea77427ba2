package io.reckon.actors.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.protocol.Question;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** SHA-256 digests of what a run reads, as its {@code RunStarted} event records them. */
public final class Digests {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Digests() {}

  /** Of one file's bytes. */
  public static String file(Path file) {
    MessageDigest md = sha256();
    update(md, file);
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * Of a model folder: every regular file under it, in name order, by relative name and bytes,
   * so that a changed, added, removed or renamed file changes the digest.
   */
  public static String folder(Path dir) {
    MessageDigest md = sha256();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir, e);
    }
    for (Path f : files) {
      md.update(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      update(md, f);
      md.update((byte) 0);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Of a text (a model without files is known by its name). */
  public static String text(String text) {
    return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Of questions submitted inline: their JSON, in order. */
  public static String questions(List<Question> questions) {
    try {
      return text(JSON.writeValueAsString(questions));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first 12 hex digits, for messages. */
  public static String shortForm(String sha256) {
    return sha256.length() > 12 ? sha256.substring(0, 12) : sha256;
  }

  private static void update(MessageDigest md, Path file) {
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
