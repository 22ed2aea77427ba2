package io.reckon.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.AttributeKey;

/**
 * The named API keys of {@code RECKON_API_KEYS_FILE} ({@code reckon.limits.api-keys-file}): one
 * key a line, {@code NAME SHA256-HEX-OF-SECRET WEIGHT [DAILY-GENERATIONS]}, blank lines and
 * {@code #} comments ignored. The file holds hashes only, so it may be read by operators who
 * must not learn the secrets. Without a file every request is the one key {@link #DEFAULT}.
 */
public final class ApiKeys {

  /**
   * One client of the service.
   *
   * @param weight its share of the service pool relative to the other keys' (fair share)
   * @param dailyQuota generations it may be granted per UTC day; {@code null}: no quota
   */
  public record Key(String name, byte[] hash, double weight, Long dailyQuota) {
    public Key {
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("key " + name + ": weight must be a number above 0");
      }
      if (dailyQuota != null && dailyQuota < 1) {
        throw new IllegalArgumentException("key " + name + ": the daily quota must be >= 1");
      }
    }
  }

  /** What a request without a keys file is (the token, or loopback without one). */
  public static final Key DEFAULT = new Key("default", new byte[0], 1, null);

  /** The request's key, set by {@link KeyedAccess} on every authorized request. */
  public static final AttributeKey<Key> ATTRIBUTE = AttributeKey.create("reckon-api-key", Key.class);

  public static final ApiKeys NONE = new ApiKeys(List.of());

  private final List<Key> keys;

  public ApiKeys(List<Key> keys) {
    this.keys = List.copyOf(keys);
  }

  public boolean enabled() {
    return !keys.isEmpty();
  }

  public List<Key> keys() {
    return keys;
  }

  /**
   * The key whose secret this is, or {@code null}. Every key is compared, each in constant time,
   * so the time taken says nothing about which hash came close.
   */
  public Key match(String secret) {
    byte[] hash = sha256(secret);
    Key found = null;
    for (Key k : keys) {
      if (MessageDigest.isEqual(hash, k.hash()) && found == null) {
        found = k;
      }
    }
    return found;
  }

  public static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  /** Reads a keys file; a malformed line is an IllegalArgumentException naming file and line. */
  public static ApiKeys load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the API keys file " + file
          + " (reckon.limits.api-keys-file, env RECKON_API_KEYS_FILE): " + e.getMessage(), e);
    }
    return parse(lines, file.toString());
  }

  static ApiKeys parse(List<String> lines, String source) {
    List<Key> keys = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (text.isEmpty()) {
        continue;
      }
      String where = source + " line " + (i + 1) + ": ";
      String[] f = text.split("[ \t]+");
      if (f.length < 3 || f.length > 4) {
        throw new IllegalArgumentException(where + "expected NAME SHA256-HEX WEIGHT "
            + "[DAILY-GENERATIONS], got " + f.length + " fields");
      }
      if (!f[0].matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException(where + "a key name is 1 to 64 of A-Z a-z 0-9 . _ -");
      }
      String hex = f[1].toLowerCase(Locale.ROOT);
      if (hex.startsWith("sha256:")) {
        hex = hex.substring("sha256:".length());
      }
      if (!hex.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(where + "the secret's hash must be 64 hex digits "
            + "(SHA-256 of the secret, e.g. printf %s SECRET | sha256sum)");
      }
      double weight;
      Long quota = null;
      try {
        weight = Double.parseDouble(f[2]);
        if (f.length == 4) {
          quota = Long.parseLong(f[3].replace("_", ""));
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(where + "weight is a number and the daily quota a "
            + "whole number of generations");
      }
      if (!names.add(f[0])) {
        throw new IllegalArgumentException(where + "key " + f[0] + " is named twice");
      }
      if (!hashes.add(hex)) {
        throw new IllegalArgumentException(where + "two keys have the same secret");
      }
      try {
        keys.add(new Key(f[0], HexFormat.of().parseHex(hex), weight, quota));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage(), e);
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(source + " names no key: each line is NAME "
          + "SHA256-HEX WEIGHT [DAILY-GENERATIONS]");
    }
    return new ApiKeys(keys);
  }
}
